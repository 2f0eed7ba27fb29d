"""`make run` as a person uses it: the demo is served, and a fresh activation link is sent by
the worker it starts, so the page answers the same whether or not an account waits."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.test_runtime import free_port

ROOT = Path(__file__).resolve().parent.parent


def manage_shell(code: str, env: dict) -> str:
    """The last word ``code`` prints, run by ``manage.py shell`` against the same database."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()[-1]


def test_make_run_serves_the_demo_with_a_worker_that_sends_fresh_links(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "PORT": str(port),
        "APTEM_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "aptem.settings.dev",
        "REDIS_URL": "",
    }
    env.pop("TASKS_BACKEND", None)
    log = (tmp_path / "run.log").open("w+")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def page(path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data else None
        with browser.open(base + path, data=body, timeout=10) as response:
            return response.read().decode()

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                form = page("/activate/fresh-link/")
                break
            except OSError:
                assert server.poll() is None, Path(log.name).read_text()
                assert time.monotonic() < deadline, Path(log.name).read_text()
                time.sleep(0.5)
        assert "admin / admin-demo-password" in Path(log.name).read_text()
        waiting = manage_shell(
            "from accounts.models import User; print(User.objects.filter("
            "status='invited', is_archived=False).values_list('email', flat=True).first())",
            env,
        )

        answers = []
        for email in (waiting, "nobody.here@example.com"):
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            html = page("/activate/fresh-link/", {"csrfmiddlewaretoken": token, "email": email})
            answers.append(re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html))
        assert answers[0] == answers[1]  # the page tells nobody whether an account exists

        deadline = time.monotonic() + 30
        while not list((tmp_path / "mail").glob("*.txt")):
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        time.sleep(2)  # nothing more is coming
        sent = [path.read_text() for path in (tmp_path / "mail").glob("*.txt")]
        assert len(sent) == 1 and f"To: {waiting}" in sent[0]
        # Both requests were queued and the worker ran them: neither page sent anything.
        done = manage_shell(
            "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.filter("
            "task_path__endswith='send_fresh_activation_links', status='SUCCESSFUL').count())",
            env,
        )
        assert done == "2"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
