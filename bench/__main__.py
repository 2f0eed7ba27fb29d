"""Benchmarks, each beside a reference measured in the same run. `make bench`.

Runs in a throwaway test database (SQLite by default; DATABASE_URL for PostgreSQL).
Prints one table; nothing here is a pass/fail test.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptem.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

ROWS: list[tuple[str, str, str]] = []


def timed(label: str, reference: str, function: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    ROWS.append((label, reference, f"{median * 1000:9.2f} ms"))
    return median


def bench_employer_create(count: int) -> None:
    from accounts.models import User, UserStatus, UserType
    from employers import services
    from tests.factories import AdministratorFactory, EmployerGroupFactory

    admin = AdministratorFactory()
    group = EmployerGroupFactory(tenant=admin.tenant)
    batch = iter(range(10**9))

    def ours():
        start = next(batch) * count
        for n in range(start, start + count):
            services.employer_create(
                tenant=admin.tenant,
                created_by=admin,
                data={
                    "title": "Ms",
                    "first_name": "Bench",
                    "surname": f"User{n}",
                    "email": f"bench{n}@example.com",
                    "mobile": "07400 123456",
                    "employer_groups": [group.pk],
                    "interfaces": ["classic"],
                    "invite": False,
                },
            )

    def reference_bulk_create():
        start = next(batch) * count
        users = [
            User(
                tenant=admin.tenant,
                user_type=UserType.EMPLOYER,
                status=UserStatus.PROSPECT,
                title="Ms",
                first_name="Bulk",
                surname=f"User{n}",
                email=f"bulk{n}@example.com",
                password="!",
            )
            for n in range(start, start + count)
        ]
        User.objects.bulk_create(users)

    def trap_hash_each():
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        for n in range(5):
            PBKDF2PasswordHasher().encode(f"password{n}", "salt" * 4)

    timed(f"employer_create x{count} (checks, audit, groups)", "ours", ours, repeat=3)
    timed(f"User.objects.bulk_create x{count}", "reference", reference_bulk_create, repeat=3)
    per = timed(
        "PBKDF2 hash x5 (what a random password would cost)", "trap", trap_hash_each, repeat=1
    )
    ROWS.append(
        (f"  ... so x{count} hashed passwords would take", "trap", f"{per / 5 * count:9.2f} s")
    )


def bench_users_list(count: int) -> None:
    from accounts.models import User, UserStatus, UserType
    from accounts.selectors import user_list
    from tests.factories import AdministratorFactory
    from ui.pagination import page_of

    admin = AdministratorFactory(is_staff=True, is_superuser=True, password="bench-password-1")
    names = ["Amelia", "Oliver", "Priya", "Tomasz", "Siobhan", "Kwame"]
    User.objects.bulk_create(
        (
            User(
                tenant=admin.tenant,
                user_type=UserType.LEARNER,
                status=UserStatus.FULL,
                title="Ms",
                first_name=names[n % 6],
                surname=f"Person{n}",
                email=f"person{n}@company{n % 500}.example",
                password="!",
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user")
    client = Client()
    client.force_login(admin)
    term = "person4242@"

    timed(
        f"Users list page, search '{term}' ({count:,} users)",
        "ours",
        lambda: client.get("/users/", {"q": term}),
    )
    timed(
        "Django admin changelist, same search",
        "reference",
        lambda: client.get("/django-admin/accounts/user/", {"q": term}),
    )
    timed(
        "selector query alone (one page)",
        "ours",
        lambda: page_of(user_list(tenant=admin.tenant, search=term), number=1, per_page=10),
    )

    def raw():
        queryset = user_list(tenant=admin.tenant, search=term)[:11]
        compiler = queryset.query.get_compiler(using="default")
        statement, params = compiler.as_sql()
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            cursor.fetchall()

    timed("raw SQL of that query", "reference", raw)
    timed("Users list page, no search (page 1)", "ours", lambda: client.get("/users/"))
    timed("Users list page 50 (deep OFFSET)", "ours", lambda: client.get("/users/", {"page": 50}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--employers", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        bench_employer_create(args.employers)
        bench_users_list(args.users)
    finally:
        teardown_databases(old, verbosity=0)
    print(f"\nDatabase: {connection.vendor}")
    width = max(len(label) for label, _, _ in ROWS)
    for label, kind, value in ROWS:
        print(f"{label:<{width}}  {kind:<9}  {value}")


if __name__ == "__main__":
    main()
