"""Work done outside the request that asked for it."""

from django_tasks import task

from . import services


@task()
def send_fresh_activation_links(email: str) -> int:
    """Queued by the fresh-link page, so its answer takes the same time whether or not an
    account is waiting at the address (sending an email would otherwise give it away)."""
    return services.fresh_link_request(email=email)
