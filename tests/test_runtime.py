"""The production runtime: health endpoints, request ids in responses and JSON logs, and
`manage.py serve` running gunicorn and the task worker together."""

import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from pythonjsonlogger.json import JsonFormatter

from aptem.runtime import RequestIdFilter
from tests.factories import AdministratorFactory

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_a_load_balancer_by_address_over_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["aptem.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_says_whether_the_database_and_cache_answer(client):
    assert client.get("/readyz", HTTP_HOST="10.1.2.3").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
    }
    lost = OperationalError("could not connect to server")
    with mock.patch("aptem.runtime.connection.cursor", side_effect=lost):
        response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["database"] == "unavailable"
    with mock.patch("aptem.runtime.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable"}


def test_every_response_carries_a_request_id_and_a_proxys_sane_id_is_kept(client):
    first = client.get("/sign-in/")["X-Request-ID"]
    second = client.get("/sign-in/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert client.get("/sign-in/", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"] == (
        "lb-7f3a9c21"
    )
    forged = client.get("/sign-in/", HTTP_X_REQUEST_ID='x"}\n{"level": "fake')["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


@pytest.mark.django_db
def test_log_lines_are_json_objects_carrying_the_request_id(client):
    options = dict(django_settings.LOGGING["formatters"]["json"])
    options.pop("()")
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client.force_login(AdministratorFactory())
    client.raise_request_exception = False
    try:
        with mock.patch("accounts.selectors.user_list", side_effect=RuntimeError("bug")):
            response = client.get("/users/")
    finally:
        logger.removeHandler(handler)
    record = json.loads(lines.getvalue().splitlines()[0])
    assert response.status_code == 500
    assert record["request_id"] == response["X-Request-ID"]
    assert record["level"] == "ERROR" and record["logger"] == "django.request"
    assert "Internal Server Error: /users/" in record["message"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_serve_runs_gunicorn_and_the_worker_with_production_settings(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "aptem.settings.production",
        "SECRET_KEY": "serve-test-secret-key-with-plenty-of-entropy-0a9s8d7f6g5h4j3k",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_PROVIDER": "",
        "ALLOW_FILE_EMAIL": "1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "APTEM_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "database",
        "REDIS_URL": "",
    }
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"--bind=127.0.0.1:{port}", "--workers=1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, Path(log.name).read_text()
            assert server.poll() is None, Path(log.name).read_text()
            time.sleep(0.5)
        assert fetch(f"{base}/readyz") == (200, '{"status": "ok", "database": "ok", "cache": "ok"}')
        status, html = fetch(f"{base}/sign-in/")
        assert status == 200 and "Sign in" in html
        stylesheet = re.search(r'href="(/static/css/aptem\.[0-9a-f]+\.css)"', html)
        assert stylesheet, "WhiteNoise serves hashed static file names"
        assert fetch(base + stylesheet.group(1))[0] == 200

        # The worker sends what the web side queues: a fresh activation link by email.
        enqueue = (
            "from aptem.demo import load_demo; load_demo();"
            "from accounts.models import User;"
            "from accounts.invitations.tasks import send_fresh_activation_links as task;"
            "user = User.objects.filter(status='invited', is_archived=False).first();"
            "task.enqueue(user.email); print(user.email)"
        )
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", enqueue],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        email = shell.stdout.split()[-1]
        deadline = time.monotonic() + 30
        while not list((tmp_path / "mail").glob("*.txt")):
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        [sent] = (tmp_path / "mail").glob("*.txt")
        assert f"To: {email}" in sent.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)
    lines = [line for line in Path(log.name).read_text().splitlines() if line.startswith("{")]
    access = [json.loads(line) for line in lines if '"request"' in line]
    assert any(
        entry.get("path") == "/sign-in/"
        and entry.get("status") == 200
        and re.fullmatch(r"[0-9a-f]{32}", entry.get("request_id", ""))
        for entry in access
    ), lines
