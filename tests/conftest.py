import os

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are
# safe here because each test has its own database state.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a Playwright download."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed for browser tests and is not at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite, and fail if CI's PostgreSQL pass lacks PostgreSQL."""
    is_postgresql = connection.vendor == "postgresql"
    if is_postgresql:
        return
    if os.environ.get("APTEM_REQUIRE_POSTGRESQL"):
        raise pytest.UsageError(
            "APTEM_REQUIRE_POSTGRESQL is set but DATABASE_URL is not PostgreSQL"
        )
    skip = pytest.mark.skip(reason="PostgreSQL only: runs in CI's PostgreSQL pass")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def demo(db):
    from aptem.demo import load_demo

    return load_demo()


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """Django's test set-up swaps in locmem; anymail's test backend also returns message ids."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture(autouse=True)
def sms_outbox():
    """The text messages sent during the test (``accounts.factors.sms.LocmemSmsBackend``)."""
    from accounts.factors import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def big_tenant(django_db_setup, django_db_blocker):
    """PostgreSQL only: a tenant of 100,000 users (each with a username), and 100,000 each of
    employer groups, roles, positions and organisations. Module-scoped, and used by one module
    (tests/accounts/test_indexes.py), so its rows never meet another module's counts."""
    from tests.bigdata import delete_catalogue, delete_users, insert_catalogue, insert_users
    from tests.factories import TenantFactory

    with django_db_blocker.unblock():
        tenant = TenantFactory()
        insert_users(tenant.pk, 100_000, usernames=True)
        insert_catalogue(tenant.pk, 100_000)
        yield tenant
        delete_users(tenant.pk)
        delete_catalogue(tenant.pk)
        tenant.delete()
