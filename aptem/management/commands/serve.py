"""``python manage.py serve``: the product as it runs in production, on one machine.

Applies migrations, collects the static files WhiteNoise serves, then runs the web server
(gunicorn) and the task worker (``worker``, which sends queued emails) side by side until
either stops or the command is interrupted; then stops the other. For several machines, run
the two commands this one prints on each (see the README's production section).
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


class Command(BaseCommand):
    help = "Migrate, collect static files, then run gunicorn and the task worker together."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument("--no-migrate", action="store_true", help="Leave the schema as it is.")

    def handle(self, *args, bind: str, workers: int, threads: int, no_migrate: bool, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        commands = {"web": self.web_command(bind, workers, threads)}
        if settings.TASKS["default"]["BACKEND"] == DATABASE_TASKS:
            commands["worker"] = [sys.executable, "manage.py", "worker"]
        for name, command in commands.items():
            self.stdout.write(f"{name}: {' '.join(command)}")
        # Our own fixed commands (this interpreter, gunicorn, manage.py): no input reaches them.
        children = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        code = 0
        try:
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            ended = next(name for name, child in children.items() if child.poll() is not None)
            code = children[ended].returncode or 1
            self.stderr.write(f"{ended} stopped (exit {children[ended].returncode}); stopping.")
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
        sys.exit(code)

    @staticmethod
    def web_command(bind: str, workers: int, threads: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "aptem.wsgi",
            f"--bind={bind}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--logger-class=aptem.access_log.JsonLogger",
            "--access-logfile=-",
            "--graceful-timeout=20",
        ]
