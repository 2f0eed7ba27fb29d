"""Benchmarks at tenant scale, each beside its reference measured in the same run. `make bench`.

Builds a throwaway PostgreSQL database (DATABASE_URL; the test database's name) holding a tenant
of --users people (1,000,000 by default, loaded by COPY), then prints one table: each measure,
its reference, the ratio and the target from the tenant-scale issue. Nothing here is a pass/fail
test; the EXPLAIN and query-count tests that guard the same paths run in `make test`.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptem.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)


@dataclass
class Row:
    what: str
    ours: str
    reference: str
    ratio: str
    target: str
    holds: str


ROWS: list[Row] = []


def median_seconds(function: Callable[[], object], repeat: int = 7) -> float:
    function()  # warm caches and connections once
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def paired_medians(
    ours: Callable[[], object], reference: Callable[[], object], repeat: int = 101
) -> tuple[float, float]:
    """Both medians, measured in turns: on a shared machine a slow spell then slows both
    alike instead of whichever happened to be running (their ratio moved by a third between
    runs measured one after the other)."""
    ours()
    reference()
    mine, theirs = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        ours()
        mine.append(time.perf_counter() - started)
        started = time.perf_counter()
        reference()
        theirs.append(time.perf_counter() - started)
    return statistics.median(mine), statistics.median(theirs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def compare(what: str, ours: float, reference: float, limit: float, *, unit=ms) -> None:
    ratio = ours / reference if reference else float("inf")
    ROWS.append(
        Row(
            what, unit(ours), unit(reference), f"{ratio:.2f}x", f"<= {limit}x", _yes(ratio <= limit)
        )
    )


def absolute(what: str, ours: float, limit_seconds: float) -> None:
    ROWS.append(Row(what, ms(ours), "", "", f"<= {ms(limit_seconds)}", _yes(ours <= limit_seconds)))


def _yes(holds: bool) -> str:
    return "yes" if holds else "NO"


def page(client: Client, path: str, data=None, *, post=False, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    send = client.post if post else client.get
    response = send(path, data or {}, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create_one_employer(tenant, admin, group, name: str) -> None:
    """The Add Employer service, once (a Prospect, so no email)."""
    from employers import services

    services.employer_create(
        tenant=tenant,
        created_by=admin,
        data={
            "title": "Ms",
            "first_name": "Bench",
            "surname": name,
            "email": f"bench-{name.lower()}@example.com",
            "mobile": "07400 123456",
            "employer_groups": [group.pk],
            "interfaces": ["classic"],
            "invite": False,
        },
    )


def bench_employer_create(data) -> None:
    from tests.factories import EmployerGroupFactory

    serial = iter(range(10**9))

    def one_create(tenant, admin, group):
        create_one_employer(tenant, admin, group, f"Create{next(serial)}")

    sides = {}
    for key in ("small", "big"):
        tenant, admin = getattr(data, key), data.admins[key]
        group = EmployerGroupFactory(tenant=tenant)
        seconds = median_seconds(lambda t=tenant, a=admin, g=group: one_create(t, a, g), repeat=25)
        with CaptureQueriesContext(connection) as captured:
            one_create(tenant, admin, group)
        sides[key] = (seconds, len(captured))
    big, small = sides["big"], sides["small"]
    compare(f"employer_create at {data.big_count:,} users vs at 1,000", big[0], small[0], 1.3)
    absolute("employer_create at the big tenant, a row", big[0], 0.015)
    ROWS.append(
        Row(
            "queries per create (big vs small)",
            str(big[1]),
            str(small[1]),
            "",
            "equal",
            _yes(big[1] == small[1]),
        )
    )


def bench_add_employer(data) -> None:
    large = client_for(data.admins["catalogue_large"])
    small = client_for(data.admins["catalogue_small"])
    for label, path, body, post in [
        ("Add Employer GET", "/employers/add/", None, False),
        ("groups search (htmx)", "/employers/add/groups/", {"group_search": "Group 4242"}, True),
        ("role search (htmx)", "/employers/add/role-search/", {"role_search": "role 4242"}, True),
        (
            "position search (htmx)",
            "/employers/add/positions/",
            {"position_search": "Position 4242"},
            True,
        ),
        ("roles move (htmx)", "/employers/add/roles/", {"move": "assign"}, True),
    ]:
        htmx = post

        def big_side(path=path, body=body, post=post, htmx=htmx):
            return page(large, path, body, post=post, htmx=htmx)

        def small_side(path=path, body=body, post=post, htmx=htmx):
            return page(small, path, body, post=post, htmx=htmx)

        compare(
            f"{label}: 100,000 groups/roles/positions vs 10",
            median_seconds(big_side),
            median_seconds(small_side),
            1.5,
        )
        compare(
            f"{label}: HTML size",
            len(big_side().content),
            len(small_side().content),
            2,
            unit=lambda n: f"{n / 1024:.0f} KB",
        )


def bench_dialog(data) -> None:
    large = client_for(data.admins["catalogue_large"])
    small = client_for(data.admins["catalogue_small"])

    def dialog(client, organisation):
        return page(
            client,
            "/learners/add/employer/",
            {"organisation": organisation.pk, "action": "choose_employer"},
            post=True,
            htmx=True,
        )

    compare(
        "Add Employer dialog: employer of 10,000 staff vs 10",
        median_seconds(lambda: dialog(large, data.staff_large)),
        median_seconds(lambda: dialog(small, data.staff_small)),
        1.5,
    )
    compare(
        "Add Employer dialog: HTML size",
        len(dialog(large, data.staff_large).content),
        len(dialog(small, data.staff_small).content),
        2,
        unit=lambda n: f"{n / 1024:.0f} KB",
    )


def bench_lists(data) -> None:
    from accounts import selectors
    from accounts.models import UserStatus
    from ui.pagination import cursor_for

    admin = data.admins["big"]
    client = client_for(admin)
    minimal = median_seconds(lambda: page(client, "/"))
    users = selectors.user_list(tenant=data.big)

    def own_sql(queryset):
        statement, params = queryset.query.get_compiler(using="default").as_sql()

        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                cursor.fetchall()

        return median_seconds(run)

    first_sql = own_sql(users[:101])
    compare(
        "Users list page 1 (100 a page) vs a minimal page + its SQL",
        median_seconds(lambda: page(client, "/users/", {"per_page": 100})),
        minimal + first_sql,
        3,
    )
    deep = users[min(500_000, users.count() // 2)]
    cursor = cursor_for(deep, selectors.USER_LIST_ORDER)
    deep_sql = own_sql(
        users.filter(created_at__lte=deep.created_at).order_by(*selectors.USER_LIST_ORDER)[:101]
    )
    compare(
        "Users list page 5,000 (keyset) vs a minimal page + its SQL",
        median_seconds(lambda: page(client, "/users/", {"per_page": 100, "after": cursor})),
        minimal + deep_sql,
        3,
    )
    compare(
        "Users list search 'big4242' vs a minimal page + its SQL",
        median_seconds(lambda: page(client, "/users/", {"q": "big4242"})),
        minimal + own_sql(selectors.user_list(tenant=data.big, search="big4242")[:11]),
        3,
    )
    compare(
        f"Pending invitations ({users.filter(status='invited').count():,}) vs Users list Invited",
        median_seconds(lambda: page(client, "/users/invitations/")),
        median_seconds(
            lambda: page(client, "/users/", {"status": UserStatus.INVITED, "per_page": 50})
        ),
        1.5,
    )
    ROWS.append(Row("a minimal signed-in page (home)", ms(minimal), "", "", "", ""))


def bench_small_vs_large_pages(data) -> None:
    large = client_for(data.admins["catalogue_large"])
    small = client_for(data.admins["catalogue_small"])
    compare(
        "Organisations list: 100,000 vs 10",
        median_seconds(lambda: page(large, "/organisations/")),
        median_seconds(lambda: page(small, "/organisations/")),
        1.5,
    )
    managers = {key: client_for(getattr(data, f"manager_{key}")) for key in ("large", "small")}
    compare(
        "Manager's home page: 2,000 learners vs 10",
        median_seconds(lambda: page(managers["large"], "/")),
        median_seconds(lambda: page(managers["small"], "/")),
        1.5,
    )
    profile = {key: getattr(data, f"manager_{key}").pk for key in ("large", "small")}
    compare(
        "Manager's profile: 2,000 learners vs 10",
        median_seconds(lambda: page(large, f"/users/{profile['large']}/")),
        median_seconds(lambda: page(small, f"/users/{profile['small']}/")),
        1.5,
    )


def bench_admin(data) -> None:
    client = client_for(data.admins["big"])
    person = data.big.users.order_by("pk")[data.big_count // 2]
    absolute(
        f"Django admin user search at {data.big_count:,}",
        median_seconds(lambda: page(client, "/django-admin/accounts/user/", {"q": "big4242"}), 3),
        1.0,
    )
    absolute(
        "Django admin user change page",
        median_seconds(lambda: page(client, f"/django-admin/accounts/user/{person.pk}/change/"), 3),
        1.0,
    )


def requests_per_second(url: str, cookie: str, seconds: float = 8, threads: int = 8) -> float:
    done = []
    stop = time.perf_counter() + seconds

    def worker():
        count = 0
        while time.perf_counter() < stop:
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                response.read()
            count += 1
        done.append(count)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(done) / seconds


def bench_gunicorn(data) -> None:
    """Two gunicorn workers serving the bench database on a loopback port."""
    from django.contrib.sessions.backends.db import SessionStore

    client = client_for(data.admins["big"])
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(session_key=session_key).exists(session_key)
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    port = "8765"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aptem.settings.test",
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "aptem.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{base}/sign-in/", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        minimal = requests_per_second(f"{base}/", cookie)
        search = requests_per_second(f"{base}/users/?q=big4242", cookie)
        ratio = search / minimal if minimal else 0
        ROWS.append(
            Row(
                "gunicorn 2 workers: Users list search vs minimal page, requests/s",
                f"{search:.0f}/s",
                f"{minimal:.0f}/s",
                f"{ratio:.2f}x",
                ">= 0.3x",
                _yes(ratio >= 0.3),
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


def bench_import(data) -> None:
    """Upload users: 10,000 employer rows into the big tenant, against bulk_create of the same
    rows and against the one-row service loop; then the check's memory at 100,000 rows."""
    import csv
    import io
    import tracemalloc
    from unittest import mock

    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.db import transaction

    from accounts.models import User, UserType
    from tests.factories import EmployerGroupFactory
    from uploads import employers

    tenant, admin = data.big, data.admins["big"]
    group = EmployerGroupFactory(tenant=tenant, name="Bench import")

    def rows_csv(count: int, prefix: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "Title",
                "First name",
                "Surname",
                "Email",
                "Mobile number",
                "Employer groups",
                "Interfaces",
                "Invite",
            ]
        )
        for n in range(count):
            writer.writerow(
                [
                    "Ms",
                    "Bench",
                    f"Import{n}",
                    f"{prefix}-{n}@bench.example",
                    "07400 123456",
                    group.path,
                    "Classic",
                    "No",
                ]
            )
        return out.getvalue().encode()

    class Rollback(Exception):
        pass

    def timed(function) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                function()
                raise Rollback
        except Rollback:
            pass
        return time.perf_counter() - started

    raw = rows_csv(10_000, "imp")
    hashes = []
    queries = []

    def ours():
        with (
            mock.patch.object(Argon2PasswordHasher, "encode", side_effect=hashes.append),
            CaptureQueriesContext(connection) as captured,
        ):
            found = employers.check(
                tenant=tenant,
                raw=raw,
                default_group=None,
                send_invitations=False,
                update_existing=False,
                max_rows=100_000,
            )
            employers.write(tenant=tenant, uploaded_by=admin, found=found)
        queries.append(len(captured))

    def reference():
        User.objects.bulk_create(
            User(
                tenant=tenant,
                user_type=UserType.EMPLOYER,
                title="Ms",
                first_name="Bench",
                surname=f"Ref{n}",
                email=f"ref-{n}@bench.example",
                mobile="+447400123456",
                password="!",
                interface_classic=True,
            )
            for n in range(10_000)
        )

    serial = iter(range(10**9))

    def loop():
        for _ in range(200):
            create_one_employer(tenant, admin, group, f"Loop{next(serial)}")

    ours_seconds = timed(ours)
    reference_seconds = timed(reference)
    loop_seconds = timed(loop) * (10_000 / 200)
    compare(
        "import of 10,000 employer rows vs bulk_create of the users",
        ours_seconds,
        reference_seconds,
        4.0,
        unit=lambda s: f"{s:.2f} s",
    )
    ROWS.append(
        Row(
            "import vs the one-row service loop (10,000 rows)",
            f"{ours_seconds:.2f} s",
            f"{loop_seconds:.0f} s",
            f"{loop_seconds / ours_seconds:.0f}x faster",
            ">= 50x faster",
            _yes(loop_seconds / ours_seconds >= 50),
        )
    )
    ROWS.append(
        Row("password hashes while importing", str(len(hashes)), "", "", "0", _yes(not hashes))
    )
    ROWS.append(
        Row(
            "queries for 10,000 rows (10 batches)",
            str(queries[0]),
            "",
            "",
            "a few a batch",
            _yes(queries[0] <= 10 * 15),
        )
    )

    big_raw = rows_csv(100_000, "mem")
    tracemalloc.start()
    employers.check(
        tenant=tenant,
        raw=big_raw,
        default_group=None,
        send_invitations=False,
        update_existing=False,
        max_rows=100_000,
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ROWS.append(
        Row(
            "checking 100,000 rows: peak Python memory",
            f"{peak / 2**20:.0f} MB",
            "",
            "",
            "< 500 MB",
            _yes(peak < 500 * 2**20),
        )
    )


def bench_api(data) -> None:
    """The API at tenant scale: a page of 100 users by cursor (the first and one half a
    million rows deep) against its own SQL, and bulk create of 1,000 employers against the CSV
    importer checking and writing the same rows."""
    import csv
    import io

    from django.db import transaction

    from accounts import selectors
    from api.tokens import token_create
    from tests.factories import EmployerGroupFactory
    from ui.pagination import cursor_for
    from uploads import employers

    tenant, admin = data.big, data.admins["big"]
    settings.API_RATE = "1000000/minute"
    _, secret = token_create(created_by=admin, name="Bench", scopes=["users:read", "users:write"])
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    users = selectors.user_list(tenant=tenant)

    def run_raw(statements: list[tuple[str, Any]]) -> Callable[[], None]:
        """The statements (with their parameters) through a bare cursor, every row fetched."""

        def run() -> None:
            with connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        return run

    def page_sql(queryset) -> Callable[[], None]:
        return run_raw([queryset.query.get_compiler(using="default").as_sql()])

    def listing(query) -> Callable[[], None]:
        answer = client.get("/api/v1/users/", query)
        assert len(answer.json()["results"]) == 100, answer.content

        def run() -> None:  # the server's work only: the client does not parse the JSON
            assert client.get("/api/v1/users/", query).status_code == 200

        return run

    def request_sql(query) -> Callable[[], None]:
        """Every statement the request runs (its token, its page), run raw."""
        run = listing(query)
        run()  # the token's last-used time is written at most once a minute
        with CaptureQueriesContext(connection) as captured:
            run()
        statements = [executed["sql"] for executed in captured.captured_queries]
        assert len(statements) == 2 and all(s.startswith("SELECT") for s in statements), statements
        return run_raw([(statement, None) for statement in statements])

    def minimal() -> None:
        assert client.get("/api/v1/positions/", {"limit": 1}).status_code == 200

    deep = users[min(500_000, data.big_count // 2)]
    pages = {
        "first page": ({"limit": 100}, users[:101]),
        "half a million deep": (
            {"limit": 100, "after": cursor_for(deep, selectors.USER_LIST_ORDER)},
            users.filter(created_at__lte=deep.created_at).order_by(*selectors.USER_LIST_ORDER)[
                :101
            ],
        ),
    }
    page_alone = {}
    for where, (query, page) in pages.items():
        compare(
            f"API: 100 users by cursor, {where}, vs its own SQL (all it runs)",
            *paired_medians(listing(query), request_sql(query)),
            3,
        )
        request, page_alone[where] = paired_medians(listing(query), page_sql(page))
        compare(
            f"API: 100 users by cursor, {where}, vs the page's query alone",
            request,
            page_alone[where],
            3,
        )
    # What any API request costs before its own work: the token, its scopes and one row.
    request, least = paired_medians(listing({"limit": 100}), minimal)
    compare(
        "API: 100 users by cursor, first page, vs a minimal API request + its SQL",
        request,
        least + page_alone["first page"],
        1.5,
    )
    ROWS.append(Row("a minimal API request (one position)", ms(least), "", "", "", ""))

    group = EmployerGroupFactory(tenant=tenant, name="Bench API bulk")
    fields = ["title", "first_name", "surname", "email", "mobile", "employer_groups", "interfaces"]

    def rows(prefix: str) -> list[dict]:
        return [
            {
                "title": "Ms",
                "first_name": "Bench",
                "surname": f"Api{n}",
                "email": f"{prefix}-{n}@bench.example",
                "mobile": "07400 123456",
                "employer_groups": [group.path],
                "interfaces": ["classic"],
                "invite": False,
            }
            for n in range(1_000)
        ]

    def as_csv(prefix: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*fields, "invite"])
        for row in rows(prefix):
            writer.writerow(
                [row[f] if not isinstance(row[f], list) else "|".join(row[f]) for f in fields]
                + ["No"]
            )
        return out.getvalue().encode()

    class Rollback(Exception):
        pass

    def rolled_back(function) -> Callable[[], None]:
        def run() -> None:
            try:
                with transaction.atomic():
                    function()
                    raise Rollback
            except Rollback:
                pass

        return run

    def through_api() -> None:
        response = client.post(
            "/api/v1/employers/bulk/", {"rows": rows("api")}, content_type="application/json"
        )
        assert response.status_code == 201, response.content[:500]

    raw = as_csv("csv")

    def through_importer() -> None:
        found = employers.check(
            tenant=tenant,
            raw=raw,
            default_group=None,
            send_invitations=False,
            update_existing=False,
            max_rows=100_000,
        )
        assert not found.error_count, found.problems[:3]
        employers.write(tenant=tenant, uploaded_by=admin, found=found)

    compare(
        "API bulk create of 1,000 employers vs the CSV importer's check and write",
        *paired_medians(rolled_back(through_api), rolled_back(through_importer), repeat=9),
        1.25,
        unit=lambda s: f"{s:.2f} s",
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--users", type=int, default=1_000_000, help="people in the big tenant")
    parser.add_argument("--skip-gunicorn", action="store_true")
    parser.add_argument("--only", help="run one bench function, e.g. bench_import")
    args = parser.parse_args()
    # No setup_test_environment(): it instruments every template render (a copy of the context
    # per template) and would charge pages for the test client's bookkeeping.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.DEBUG = False
    old = setup_databases(verbosity=0, interactive=False)
    try:
        if connection.vendor != "postgresql":
            sys.exit(
                "make bench measures PostgreSQL, the product's real database: set DATABASE_URL, "
                "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/aptem make bench"
            )
        from bench.data import build

        started = time.perf_counter()
        data = build(args.users)
        data.big_count = args.users
        built = time.perf_counter() - started
        benches = [
            bench_employer_create,
            bench_add_employer,
            bench_dialog,
            bench_lists,
            bench_small_vs_large_pages,
            bench_admin,
            bench_import,
            bench_api,
        ]
        for bench in benches:
            if not args.only or bench.__name__ == args.only:
                bench(data)
        if not args.skip_gunicorn and not args.only:
            connection.close()  # let gunicorn's workers see every committed row
            bench_gunicorn(data)
    finally:
        teardown_databases(old, verbosity=0)
    print(
        f"\n{date.today():%d %B %Y}, PostgreSQL, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; data set built in {built:.0f} s "
        f"({data.seconds['users']:.0f} s for {args.users:,} users by COPY)\n"
    )
    headers = Row("measure", "ours", "reference", "ratio", "target", "holds")
    widths = [max(len(getattr(row, f)) for row in [headers, *ROWS]) for f in Row.__annotations__]
    for row in [headers, *ROWS]:
        cells = [getattr(row, f).ljust(w) for f, w in zip(Row.__annotations__, widths, strict=True)]
        print("| " + " | ".join(cells) + " |")
        if row is headers:  # a Markdown table, to paste into docs/benchmarks.md as it is
            print("| " + " | ".join("-" * w for w in widths) + " |")


if __name__ == "__main__":
    main()
