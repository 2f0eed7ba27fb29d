"""The demo tenant that `make run` loads: deterministic, and safe to load again."""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.invitations.models import Invitation, InvitationStatus
from accounts.models import (
    Permission,
    Role,
    RoleAudience,
    RolePermission,
    Tenant,
    Title,
    User,
    UserStatus,
    UserType,
)
from employers.models import EmployerGroup, EmployerProfile, Organisation, Position
from employers.services import organisation_create
from learners.models import EmployerRecord

DEMO_TENANT = "Demo Training Ltd"
DEMO_SLUG = "demo-training"
DEMO_PASSWORD = "admin-demo-password"
DEMO_EMAIL_DOMAIN = "demo-training.example"

REGIONS = ["North West", "North East", "Midlands", "London", "South East", "South West"]
SECTORS = ["Engineering", "Health and Care", "Digital", "Business Services"]
POSITIONS = [
    "Line Manager",
    "Mentor",
    "HR Manager",
    "Workplace Supervisor",
    "Training Coordinator",
    "Director",
]
ORGANISATIONS = [
    ("Northwind Engineering Ltd", "North West", "12 Dock Road", "Liverpool", "L3 4AB"),
    ("Brightside Care Homes", "Midlands", "8 Elm Street", "Birmingham", "B1 1AA"),
    ("Harbour Digital", "South West", "Unit 4, Quay Side", "Bristol", "BS1 5TR"),
    ("Kestrel Logistics", "North East", "Kestrel House, Tyne Way", "Newcastle", "NE1 3PF"),
    ("Oakfield Hospitality", "London", "200 Strand", "London", "WC2R 1AP"),
]
ROLES = [
    (
        "Super administrator",
        RoleAudience.ADMINISTRATOR,
        [
            Permission.CREATE_USERS,
            Permission.CREATE_ADMINS,
            Permission.CREATE_GROUPS,
            Permission.BULK_UPLOAD,
            Permission.MANAGE_ORGANISATIONS,
            Permission.VIEW_ALL_GROUPS,
            Permission.MANAGE_SECURITY,
            Permission.MANAGE_API_TOKENS,
        ],
    ),
    ("Read-only administrator", RoleAudience.ADMINISTRATOR, [Permission.VIEW_ALL_GROUPS]),
    (
        "Employer – View All in Assigned Group(s)",
        RoleAudience.EMPLOYER,
        [Permission.EMPLOYER_VIEW_ALL_IN_GROUPS],
    ),
    ("Learners Progress", RoleAudience.EMPLOYER, [Permission.LEARNERS_PROGRESS]),
]
FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Sophia",
    "Jack",
    "Grace",
    "Charlie",
    "Ella",
    "Theo",
    "Priya",
    "Mohammed",
    "Aisha",
    "Kwame",
    "Siobhan",
    "Dafydd",
    "Niamh",
    "Tomasz",
    "Chen",
    "Zara",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Lewis",
    "Okafor",
    "Nowak",
    "Murphy",
    "Hughes",
    "Campbell",
]
# (type, how many, statuses to cycle through)
POPULATION = [
    (
        UserType.LEARNER,
        110,
        [
            UserStatus.FULL,
            UserStatus.INVITED,
            UserStatus.PROSPECT,
            UserStatus.FULL,
            UserStatus.EXPIRED,
            UserStatus.CANCELLED,
        ],
    ),
    (UserType.EMPLOYER, 60, [UserStatus.FULL, UserStatus.INVITED, UserStatus.PROSPECT]),
    (UserType.REFERRER, 15, [UserStatus.FULL, UserStatus.PROSPECT, UserStatus.INVITED]),
    (UserType.ADMINISTRATOR, 13, [UserStatus.FULL, UserStatus.INVITED, UserStatus.CANCELLED]),
]


@transaction.atomic
def load_demo() -> Tenant:
    """Create or complete the demo tenant. Running it again adds nothing twice."""
    tenant, _ = Tenant.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_TENANT})
    roles = _roles(tenant)
    groups = _groups(tenant)
    positions = [
        Position.objects.get_or_create(tenant=tenant, title=title)[0] for title in POSITIONS
    ]
    organisations = _organisations(tenant, groups)
    password_hash = make_password(DEMO_PASSWORD)  # one hash, shared by every demo sign-in
    _sign_in_user(tenant, "admin", "Ada", "Admin", roles["Super administrator"], password_hash)
    _sign_in_user(
        tenant, "viewer", "Victor", "Viewer", roles["Read-only administrator"], password_hash
    )
    _population(tenant, roles, groups, positions, organisations)
    _invitation_histories(tenant)
    _manager_with_learners(tenant, organisations, password_hash)
    return tenant


def _roles(tenant: Tenant) -> dict[str, Role]:
    roles = {}
    for name, audience, permissions in ROLES:
        role, _ = Role.objects.get_or_create(
            tenant=tenant, name=name, defaults={"audience": audience}
        )
        for permission in permissions:
            RolePermission.objects.get_or_create(role=role, permission=permission)
        roles[name] = role
    return roles


def _groups(tenant: Tenant) -> dict[str, EmployerGroup]:
    root, _ = EmployerGroup.objects.get_or_create(tenant=tenant, parent=None, name="All employers")
    groups = {root.name: root}
    for region in REGIONS:
        region_group, _ = EmployerGroup.objects.get_or_create(
            tenant=tenant, parent=root, name=region
        )
        groups[region] = region_group
        for sector in SECTORS:
            groups[f"{region} {sector}"], _ = EmployerGroup.objects.get_or_create(
                tenant=tenant, parent=region_group, name=f"{region} {sector}"
            )
    return groups


def _organisations(tenant: Tenant, groups: dict[str, EmployerGroup]) -> list[Organisation]:
    organisations = []
    for name, region, line_1, town, postcode in ORGANISATIONS:
        organisation = Organisation.objects.filter(tenant=tenant, name=name).first()
        if organisation is None:
            organisation = organisation_create(
                tenant=tenant,
                name=name,
                parent_group=groups[region],
                address_line_1=line_1,
                town=town,
                postcode=postcode,
            )
        organisations.append(organisation)
    return organisations


def _sign_in_user(tenant, username, first_name, surname, role, password_hash) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "tenant": tenant,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            "title": Title.MX,
            "first_name": first_name,
            "surname": surname,
            "user_type": UserType.ADMINISTRATOR,
            "status": UserStatus.FULL,
            "is_archived": False,
            "is_active": True,
            "password": password_hash,
            "interface_classic": True,
            "interface_console": True,
            "activated_at": timezone.now(),
        },
    )
    user.roles.set([role])
    return user


def _population(tenant, roles, groups, positions, organisations) -> None:
    rng = random.Random(2026)
    now = timezone.now()
    existing = set(
        User.objects.filter(tenant=tenant, email__endswith=f"@{DEMO_EMAIL_DOMAIN}").values_list(
            "email", flat=True
        )
    )
    region_groups = [groups[region] for region in REGIONS]
    employer_roles = [roles["Employer – View All in Assigned Group(s)"], roles["Learners Progress"]]
    serial = 0
    for user_type, count, statuses in POPULATION:
        for index in range(count):
            serial += 1
            first_name = FIRST_NAMES[serial % len(FIRST_NAMES)]
            surname = SURNAMES[(serial * 7) % len(SURNAMES)]
            email = f"{first_name}.{surname}{serial}@{DEMO_EMAIL_DOMAIN}".lower()
            if email in existing:
                continue
            status = statuses[index % len(statuses)]
            created = now - timedelta(days=serial, hours=rng.randrange(24))
            user = User(
                tenant=tenant,
                user_type=user_type,
                status=status,
                title=rng.choice(Title.values),
                first_name=first_name,
                surname=surname,
                email=email,
                username=email if status != UserStatus.PROSPECT else None,
                mobile=f"+447400{serial:06d}",
                interface_classic=True,
                interface_console=user_type == UserType.ADMINISTRATOR,
                created_at=created,
                invited_at=created + timedelta(hours=1) if status != UserStatus.PROSPECT else None,
                activated_at=created + timedelta(days=1) if status == UserStatus.FULL else None,
            )
            user.set_unusable_password()
            user.save()
            if user_type in (UserType.EMPLOYER, UserType.LEARNER):
                user.employer_groups.add(region_groups[serial % len(region_groups)])
            if user_type == UserType.EMPLOYER:
                EmployerProfile.objects.create(
                    user=user, position=positions[serial % len(positions)]
                )
                organisation = organisations[serial % len(organisations)]
                organisation.members.add(user)
                user.employer_groups.add(organisation.group)
                user.roles.add(employer_roles[serial % len(employer_roles)])


def _invitation_histories(tenant: Tenant) -> None:
    """Everyone the demo shows as invited (Invited, Full, Expired, Cancelled after an invite)
    has the invitation that status implies, as Pending invitations and profiles expect: sent
    an hour after creation, its link lasting the tenant's lifetime (so an Expired person's link
    has run out). Adds only what is missing, so older demo databases are completed too."""
    missing = User.objects.filter(
        tenant=tenant,
        email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
        invited_at__isnull=False,
        invitations__isnull=True,
    )
    lifetime = timedelta(days=tenant.activation_link_days)
    for user in missing:
        expires_at = user.invited_at + lifetime
        if user.status == UserStatus.INVITED:
            expires_at = max(expires_at, timezone.now() + timedelta(days=1))
        elif user.status == UserStatus.EXPIRED:
            expires_at = min(expires_at, timezone.now() - timedelta(days=1))
        Invitation.objects.create(
            tenant=tenant,
            user=user,
            sequence=1,
            email=user.email,
            status=InvitationStatus.DELIVERED,
            created_at=user.invited_at,
            sent_at=user.invited_at,
            attempts=1,
            expires_at=expires_at,
        )
        User.objects.filter(pk=user.pk).update(invitation_count=1)


def _manager_with_learners(tenant, organisations, password_hash) -> None:
    """A demo employer sign-in (username manager) who manages a few learners at Northwind."""
    workplace = organisations[0]
    manager, _ = User.objects.update_or_create(
        username="manager",
        defaults={
            "tenant": tenant,
            "email": f"manager@{DEMO_EMAIL_DOMAIN}",
            "title": Title.MS,
            "first_name": "Maya",
            "surname": "Manager",
            "user_type": UserType.EMPLOYER,
            "status": UserStatus.FULL,
            "is_archived": False,
            "is_active": True,
            "password": password_hash,
            "interface_classic": True,
            "activated_at": timezone.now(),
        },
    )
    EmployerProfile.objects.get_or_create(user=manager)
    workplace.members.add(manager)
    manager.employer_groups.add(workplace.group)
    learners = User.objects.filter(
        tenant=tenant, user_type=UserType.LEARNER, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
    ).order_by("pk")[:6]
    for learner in learners:
        EmployerRecord.objects.get_or_create(
            learner=learner,
            organisation=workplace,
            defaults={
                "tenant": tenant,
                "manager": manager,
                "interface_classic": True,
                "is_primary": not learner.employer_records.exists(),
            },
        )
