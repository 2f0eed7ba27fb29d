"""Invitation emails for imported people, sent by the worker a batch at a time."""

from django_tasks import task

from accounts.invitations.services import invitation_deliver
from ui.queue import enqueue_with_data

SEND_BATCH = 200


@task()
def deliver_invitations(invitation_ids: list[int]) -> int:
    """Send each invitation's email once: ``invitation_deliver`` claims its row first, so a
    task run twice (a worker lost mid-way) sends nothing twice."""
    for invitation_id in invitation_ids:
        invitation_deliver(invitation_id=invitation_id)
    return len(invitation_ids)


def queue_invitations(invitation_ids: list[int]) -> None:
    """Queue the sends in the caller's transaction: they exist exactly when the people do."""
    for start in range(0, len(invitation_ids), SEND_BATCH):
        enqueue_with_data(deliver_invitations, invitation_ids[start : start + SEND_BATCH])


@task()
def check_upload(upload_id: int) -> str:
    from .importing import check_upload as run

    return run(upload_id)


@task()
def import_upload(upload_id: int) -> str:
    from .importing import import_upload as run

    return run(upload_id)
