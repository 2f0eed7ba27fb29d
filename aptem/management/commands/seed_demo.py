from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from aptem.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo tenant (idempotent). Refused when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        tenant = load_demo()
        users = User.objects.filter(tenant=tenant).count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo tenant '{tenant.name}' ready with {users} users.")
        )
        self.stdout.write(f"  Administrator (Create Users): admin / {DEMO_PASSWORD}")
        self.stdout.write(f"  Administrator (view only):    viewer / {DEMO_PASSWORD}")
        self.stdout.write(f"  Employer (manages learners): manager / {DEMO_PASSWORD}")
