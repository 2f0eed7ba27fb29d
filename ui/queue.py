"""Handing work to the worker in the same transaction as the data it needs.

The production queue (django-tasks-db) lives in the product's own database, so a task
enqueued inside a transaction is committed with it or not at all: a transactional outbox for
free. No process can die between COMMIT and a callback and lose the work. A queue that runs
work at once, in the process (the ``immediate`` backend of development and tests), must not
run it before the data is committed, so there the task waits for the commit instead.
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def queued_in_transaction(task: Task[Any, Any]) -> bool:
    """Whether ``task``'s queue is a table of this database (enqueuing is then part of the
    caller's transaction)."""
    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_with_data(
    task: Task[Any, Any], *args: Any, run_after: datetime | None = None
) -> None:
    """Queue ``task`` so that it exists exactly when the caller's transaction commits."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if queued_in_transaction(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
