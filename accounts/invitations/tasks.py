"""Work done outside the request that asked for it."""

from django_tasks import TaskContext, task

from . import services


@task(takes_context=True)
def send_fresh_activation_links(context: TaskContext, email: str) -> int:
    """Queued by the fresh-link page, so its answer takes the same time whether or not an
    account is waiting at the address (sending an email would otherwise give it away). Safe to
    run twice: a worker that died after sending has its task run again by another, which finds
    the invitation made under this task's id and sends nothing."""
    return services.fresh_link_request(email=email, request_key=str(context.task_result.id))


@task()
def send_invitation_batch(batch_id: int) -> str:
    """Invitations asked for many people at once (see ``invitation_batch_send``)."""
    batch = services.invitation_batch_send(batch_id=batch_id)
    return f"{len(batch.outcomes)} of {len(batch.user_ids)} handled"


@task()
def retry_stuck_invitation(invitation_id: int) -> str:
    """Queued, to run later, whenever an invitation's send starts: if the process sending it
    died, this finishes the job (once more at most) or records the failure."""
    invitation = services.invitation_retry_if_stuck(invitation_id=invitation_id)
    return invitation.get_status_display() if invitation else "nothing to do"

