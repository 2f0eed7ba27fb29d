"""The benchmark's data set, built the way a big tenant would be loaded: users by COPY.

One tenant of ``users`` people (a tenth of them Invited, each with the invitation the services
would have written), a tenant of 1,000 for the small side of each ratio, and two catalogue
tenants holding 10 and 100,000 employer groups, roles, positions and organisations, with an
organisation of 10,000 staff and a manager of 2,000 learners.
"""

import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from accounts.models import Permission, Role, RolePermission, Tenant, User, UserStatus, UserType
from employers.models import Organisation
from learners.models import EmployerRecord

PASSWORD = "bench passphrase 2026"
FIRST = ["Amelia", "Oliver", "Isla", "George", "Priya", "Mohammed", "Siobhan", "Tomasz", "Ava"]
LAST = ["Smith", "Jones", "Patel", "Nowak", "Okafor", "Campbell", "Hughes", "Murphy", "Khan"]
USER_COLUMNS = (
    "tenant_id",
    "user_type",
    "status",
    "is_archived",
    "title",
    "first_name",
    "surname",
    "email",
    "username",
    "mobile",
    "gender",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
    "postcode",
    "interface_classic",
    "interface_console",
    "is_active",
    "is_staff",
    "is_superuser",
    "password",
    "created_at",
    "updated_at",
    "invitation_count",
    "invited_at",
)
STATUSES = ["full", "full", "full", "full", "invited", "prospect", "prospect", "expired", "full"]
TRIGRAM_INDEXES = ("user_first_name_upper_trgm", "user_surname_upper_trgm", "user_email_upper_trgm")


@dataclass
class DataSet:
    big: Tenant
    small: Tenant
    catalogue_small: Tenant
    catalogue_large: Tenant
    admins: dict[str, User] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    staff_small: Organisation | None = None
    staff_large: Organisation | None = None
    manager_small: User | None = None
    manager_large: User | None = None


def _administrator(tenant: Tenant, name: str, password_hash: str) -> User:
    user = User.objects.create(
        tenant=tenant,
        user_type=UserType.ADMINISTRATOR,
        status=UserStatus.FULL,
        title="Mx",
        first_name="Bench",
        surname=name,
        email=f"{name}@bench.example",
        username=f"bench-{name}",
        password=password_hash,
        interface_classic=True,
        is_staff=True,
        is_superuser=True,
    )
    role = Role.objects.create(tenant=tenant, name=f"Bench all {name}", audience="administrator")
    RolePermission.objects.bulk_create(
        RolePermission(role=role, permission=permission) for permission, _ in Permission.choices
    )
    user.roles.add(role)
    return user


def copy_users(tenant: Tenant, count: int, *, prefix: str) -> None:
    """``count`` people into ``tenant`` with PostgreSQL's COPY (bulk_create elsewhere)."""
    rng = random.Random(2026)
    now = timezone.now()

    def rows():
        for n in range(count):
            status = STATUSES[n % len(STATUSES)]
            created = now - timezone.timedelta(seconds=n * 7)
            email = f"{prefix}{n}@company{n % 5000}.example"
            yield (
                tenant.pk,
                ["learner", "employer", "referrer", "administrator"][n % 4],
                status,
                False,
                "Ms",
                f"{FIRST[n % len(FIRST)]}{rng.randrange(1000)}",
                f"{LAST[(n // 9) % len(LAST)]}{n % 997}",
                email,
                email if status == "full" else None,
                "+447400123456",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                True,
                False,
                True,
                False,
                False,
                "!",
                created,
                created,
                1 if status == "invited" else 0,
                created if status == "invited" else None,
            )

    if connection.vendor != "postgresql":
        User.objects.bulk_create(
            (User(**dict(zip(USER_COLUMNS, row, strict=True))) for row in rows()),
            batch_size=5000,
        )
    else:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY accounts_user ({', '.join(USER_COLUMNS)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
    with connection.cursor() as cursor:
        # The Invited have their current invitation, as the services leave them.
        cursor.execute(
            """
            INSERT INTO accounts_invitation (
                tenant_id, user_id, sequence, email, status, created_at, sent_at, expires_at,
                provider_message_id, error)
            SELECT tenant_id, id, 1, email, 'sent', invited_at, invited_at, invited_at + %s,
                '', ''
            FROM accounts_user WHERE tenant_id = %s AND status = 'invited'
            """,
            [timezone.timedelta(days=7), tenant.pk],
        )


def _without_trigram_indexes(build):
    """Load with the GIN indexes dropped, then build them once (as a bulk load should)."""
    if connection.vendor != "postgresql":
        return build()
    with connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    build()
    with connection.cursor() as cursor:
        for name, column in zip(TRIGRAM_INDEXES, ("first_name", "surname", "email"), strict=True):
            cursor.execute(
                f'CREATE INDEX {name} ON accounts_user USING gin (UPPER("{column}") gin_trgm_ops)'
            )
        cursor.execute("ANALYZE accounts_user")
        cursor.execute("ANALYZE accounts_invitation")
    return None


def _staff_and_learners(tenant: Tenant, organisation: Organisation, staff: int, learners: int):
    """An organisation with ``staff`` employers; its first one manages ``learners`` learners."""
    made = User.objects.bulk_create(
        (
            User(
                tenant=tenant,
                user_type=UserType.EMPLOYER if n < staff else UserType.LEARNER,
                status=UserStatus.FULL,
                title="Ms",
                first_name="Staff" if n < staff else "Learner",
                surname=f"Member{n:05d}",
                email=f"t{tenant.pk}-member{n}@org.example",
                password="!",
            )
            for n in range(staff + learners)
        ),
        batch_size=5000,
    )
    organisation.members.through.objects.bulk_create(
        (
            organisation.members.through(organisation_id=organisation.pk, user_id=u.pk)
            for u in made[:staff]
        ),
        batch_size=5000,
    )
    manager = made[0]
    manager.username = f"manager-{tenant.pk}"
    manager.password = make_password(PASSWORD)
    manager.save(update_fields=["username", "password"])
    EmployerRecord.objects.bulk_create(
        (
            EmployerRecord(
                tenant=tenant,
                learner=learner,
                organisation=organisation,
                manager=manager,
                interface_classic=True,
                is_primary=True,
            )
            for learner in made[staff:]
        ),
        batch_size=5000,
    )
    return manager


def build(users: int) -> DataSet:
    from tests.bigdata import insert_catalogue

    password_hash = make_password(PASSWORD)
    data = DataSet(
        big=Tenant.objects.create(name="Big provider", slug="bench-big"),
        small=Tenant.objects.create(name="Small provider", slug="bench-small"),
        catalogue_small=Tenant.objects.create(name="Ten of everything", slug="bench-ten"),
        catalogue_large=Tenant.objects.create(name="Lots of everything", slug="bench-lots"),
    )
    for key in ("big", "small", "catalogue_small", "catalogue_large"):
        data.admins[key] = _administrator(getattr(data, key), key, password_hash)

    started = time.perf_counter()
    _without_trigram_indexes(lambda: copy_users(data.big, users, prefix="big"))
    data.seconds["users"] = time.perf_counter() - started
    copy_users(data.small, 1_000, prefix="small")

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        insert_catalogue(data.catalogue_small.pk, 10)
        insert_catalogue(data.catalogue_large.pk, 100_000)
    data.seconds["catalogue"] = time.perf_counter() - started

    data.staff_small = Organisation.objects.filter(tenant=data.catalogue_small).first()
    data.staff_large = Organisation.objects.filter(tenant=data.catalogue_large).first()
    started = time.perf_counter()
    data.manager_small = _staff_and_learners(data.catalogue_small, data.staff_small, 10, 10)
    data.manager_large = _staff_and_learners(data.catalogue_large, data.staff_large, 10_000, 2_000)
    data.seconds["staff"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A long-lived database is vacuumed: without this, autovacuum would visit the freshly
            # loaded million rows while the measurements run, and they would share its 2 cores.
            cursor.execute("VACUUM (ANALYZE)")
    return data
