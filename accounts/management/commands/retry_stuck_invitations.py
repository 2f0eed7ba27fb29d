from django.core.management.base import BaseCommand

from accounts.invitations.services import invitations_retry_stuck


class Command(BaseCommand):
    help = (
        "Retry (once) every invitation whose send started but never finished, or record it as "
        "failed after its last try. The worker does this by itself; this is for after an outage."
    )

    def handle(self, *args, **options):
        handled = invitations_retry_stuck()
        self.stdout.write(f"{handled} stuck invitation(s) handled.")
