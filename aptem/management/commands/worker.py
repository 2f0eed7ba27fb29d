"""``python manage.py worker``: django-tasks-db's ``db_worker``, made to survive production.

- **A lost database** (PostgreSQL restarted, a failover, a network blip) no longer ends the
  process: the worker closes its connections, waits (1 s, doubling up to 30 s) and carries on.
- **A worker that died mid-task** (killed, out of memory, the machine gone) leaves its task
  RUNNING for ever; every worker puts such a task back in the queue once it has run longer than
  ``TASK_STALL_SECONDS``, so another worker finishes it. Tasks are therefore written to be
  safe to run twice (see ``accounts.invitations.tasks``).

The options are ``db_worker``'s; ``--reload`` is not offered (a production worker).
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger("aptem.worker")
DATABASE_LOST = (OperationalError, InterfaceError)
MAX_BACKOFF_SECONDS = 30.0


def requeue_stalled(*, backend_name: str, stall_after: timedelta) -> int:
    """Put back in the queue every task that has been RUNNING longer than ``stall_after``."""
    started_before = timezone.now() - stall_after
    requeued = DBTaskResult.objects.filter(
        backend_name=backend_name,
        status=TaskResultStatus.RUNNING,
        started_at__lt=started_before,
    ).update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        logger.warning("Put %d stalled task(s) back in the queue", requeued)
    return requeued


class ResilientWorker(db_worker.Worker):
    requeue_every_seconds = 15.0

    def run(self) -> None:
        logger.info("Starting worker %s on queues %s", self.worker_id, self.queue_names)
        stall_after = timedelta(seconds=settings.TASK_STALL_SECONDS)
        next_requeue = 0.0
        backoff = 1.0
        tasks_done = 0
        while self.running:
            try:
                if time.monotonic() >= next_requeue:
                    requeue_stalled(backend_name=self.backend_name, stall_after=stall_after)
                    next_requeue = time.monotonic() + self.requeue_every_seconds
                task_result = self.claim_next()
                if task_result is not None:
                    self.run_task(task_result)
                    tasks_done += 1
                backoff = 1.0
            except DATABASE_LOST as error:
                logger.warning(
                    "Database unavailable (%s); trying again in %.0f s",
                    type(error).__name__,
                    backoff,
                )
                connections.close_all()
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if task_result is None and self.batch:
                return
            if self.max_tasks is not None and tasks_done >= self.max_tasks:
                return
            if task_result is None and self.running:
                time.sleep(self.interval)

    def claim_next(self) -> DBTaskResult | None:
        """Take the next ready task of our queues, so no other worker runs it."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result


class Command(db_worker.Command):
    help = "Run the background worker: db_worker that survives a lost database and dead peers."

    def handle(self, *, verbosity: int, queue_name: str, exclude_queues: str, **options) -> None:
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        worker.configure_signals()
        worker.run()
