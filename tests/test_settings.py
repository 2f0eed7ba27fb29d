"""Production settings: `check --deploy` is clean, and a missing secret stops start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "aptem.settings.production",
    "SECRET_KEY": "x7#k2!production-like-secret-key-with-plenty-of-entropy-0a9s8d7f6g5h",
    "ALLOWED_HOSTS": "aptem.example.com",
    "SITE_URL": "https://aptem.example.com",
    "EMAIL_PROVIDER": "postmark",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "token-for-the-check",
    "ANYMAIL_WEBHOOK_SECRET": "tracking:a-long-random-webhook-secret",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The test run's own settings (and its async-unsafe switch for Playwright) must not leak in.
    leave_out = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_with_a_provider_but_no_webhook_secret():
    env = {**PRODUCTION, "ANYMAIL_WEBHOOK_SECRET": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET must be set" in result.stderr


def test_without_a_webhook_secret_there_is_no_webhook_to_forge():
    """Development (no provider, no secret): the tracking URL does not exist at all."""
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "aptem.settings.dev", "EMAIL_PROVIDER": ""}
    env["ANYMAIL_WEBHOOK_SECRET"] = ""
    show = (
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/anymail/postmark/tracking/'); print('served')\n"
        "except Resolver404:\n    print('absent')"
    )
    assert manage("shell", "-c", show, **env).stdout.split()[-1] == "absent"
    env["ANYMAIL_WEBHOOK_SECRET"] = "tracking:secret"
    assert manage("shell", "-c", show, **env).stdout.split()[-1] == "absent"  # no provider
    env["EMAIL_PROVIDER"] = "postmark"
    assert manage("shell", "-c", show, **env).stdout.split()[-1] == "served"
    other = show.replace("postmark", "amazon_ses")  # another provider's: not served at all
    assert manage("shell", "-c", other, **env).stdout.split()[-1] == "absent"


def test_production_sends_email_through_the_configured_anymail_provider():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.ANYMAIL)",
        **PRODUCTION,
    )
    assert "anymail.backends.postmark.EmailBackend" in result.stdout, result.stderr
    assert "'POSTMARK_SERVER_TOKEN': 'token-for-the-check'" in result.stdout


def test_production_hashes_new_passwords_with_argon2id_and_keeps_connections():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; from django.contrib.auth.hashers import make_password;"
        "from django.db import connection;"
        "print(make_password('plum orchard lantern 42').split('$')[0]);"
        "db = connection.settings_dict; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])",
        **PRODUCTION,
    )
    algorithm, max_age, health_checks = result.stdout.split()[-3:]
    assert algorithm == "argon2", result.stdout + result.stderr
    assert (max_age, health_checks) == ("60", "True")


def test_postgresql_pages_start_no_parallel_workers_unless_asked():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://app@db.example:5432/aptem"}
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    assert "max_parallel_workers_per_gather=0" in manage("shell", "-c", show, **env).stdout
    env["DATABASE_PARALLEL_WORKERS"] = "2"
    assert "max_parallel_workers_per_gather=2" in manage("shell", "-c", show, **env).stdout


def test_production_texts_go_through_the_chosen_provider_and_never_to_files():
    show = "from django.conf import settings; print(settings.SMS_BACKEND)"
    shown = manage("shell", "-c", show, **PRODUCTION).stdout
    assert "accounts.factors.sms.DisabledSmsBackend" in shown
    for provider, backend in (("notify", "NotifySmsBackend"), ("twilio", "TwilioSmsBackend")):
        result = manage("shell", "-c", show, **PRODUCTION, SMS_PROVIDER=provider)
        assert f"accounts.factors.sms.{backend}" in result.stdout, result.stderr
