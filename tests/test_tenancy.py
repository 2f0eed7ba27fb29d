"""Tenant isolation, walked over every URL pattern of the project.

Tenant A's administrator (with every permission) asks for each of tenant B's objects through
every route that names an object, by GET and POST and with every section action: each answer is
404, and nothing is written in either tenant on the way. Routes that name no object are posted
tenant B's ids in every field that carries one: B is left untouched. A new route fails this test
until it is classified below, so no view can skip the tenancy layer unnoticed.
"""

import json

import pytest
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.invitations.models import BatchKind, Invitation, InvitationBatch
from accounts.invitations.services import invitation_create
from accounts.models import Permission, RoleAudience, UserStatus, UserType
from api.tokens import token_create
from employers.models import EmployerGroup, EmployerProfile, Organisation, Position
from learners.models import EmployerRecord
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    OrganisationFactory,
    PositionFactory,
    RoleFactory,
    TenantFactory,
    UserFactory,
)
from uploads.models import Upload

pytestmark = pytest.mark.django_db

# Routes whose arguments name an object of the signed-in tenant: the kinds each may be handed.
OBJECT_ROUTES = {
    "accounts:user_detail": ("admin", "employer", "learner", "invited"),
    "accounts:invitation_send": ("admin", "employer", "learner", "invited"),
    "accounts:account_cancel": ("admin", "employer", "learner", "invited"),
    "accounts:account_reactivate": ("admin", "employer", "learner", "invited"),
    "accounts:account_archive": ("admin", "employer", "learner", "invited"),
    "accounts:account_unarchive": ("admin", "employer", "learner", "invited"),
    "accounts:account_access": ("admin", "employer", "learner", "invited"),
    "accounts:devices_reset": ("admin", "employer", "learner", "invited"),
    "employers:edit": ("employer",),
    "employers:edit_groups": ("employer",),
    "employers:edit_roles": ("employer",),
    "employers:edit_role_search": ("employer",),
    "employers:edit_positions": ("employer",),
    "employers:edit_position_add": ("employer",),
    "employers:edit_enter": ("employer",),
    "employers:staff_options": ("organisation",),
    "learners:edit": ("learner",),
    "learners:edit_groups": ("learner",),
    "learners:edit_record_remove": ("learner",),
    "learners:edit_enter": ("learner",),
    "learners:record_add": ("learner",),
    "learners:record_edit": ("record",),
    "learners:record_end": ("record",),
    "learners:record_primary": ("record",),
    "accounts:invitation_batch": ("batch",),
    "uploads:detail": ("upload",),
    "uploads:confirm": ("upload",),
    "uploads:report": ("upload",),
    "api:user": ("admin", "employer", "learner", "invited"),
    "api:invitation": ("admin", "employer", "learner", "invited"),
    "api:cancel": ("admin", "employer", "learner", "invited"),
    "api:reactivate": ("admin", "employer", "learner", "invited"),
    "api:archive": ("admin", "employer", "learner", "invited"),
    "api:unarchive": ("admin", "employer", "learner", "invited"),
    "api:revoke": ("token",),
}
# Routes that name no object (ids arrive in the form, if at all).
TENANT_ROUTES = {
    "home": {},
    "accounts:user_list": {},
    "accounts:pending_invitations": {},
    "accounts:user_bulk": {},
    "accounts:security_settings": {},
    "uploads:upload": {},
    "uploads:template": {"kind": "employers"},
    "accounts:second_factor": {},
    "accounts:two_factor_setup": {},
    "accounts:confirm_create": {"kind": "employer"},
    "employers:add": {},
    "employers:add_groups": {},
    "employers:add_roles": {},
    "employers:add_role_search": {},
    "employers:add_positions": {},
    "employers:add_position_add": {},
    "employers:add_enter": {},
    "employers:organisation_list": {},
    "employers:position_options": {},
    "employers:organisation_options": {},
    "employers:group_options": {},
    "employers:group_filter_options": {},
    "employers:organisation_add": {},
    "learners:add": {},
    "learners:add_groups": {},
    "learners:add_record_remove": {},
    "learners:add_enter": {},
    "learners:employer_draft": {},
    "learners:employer_record": {},
    "api:users": {},
    "api:employers": {},
    "api:employers_bulk": {},
    "api:learners": {},
    "api:organisations": {},
    "api:groups": {},
    "api:roles": {},
    "api:positions": {},
    "api:tokens": {},
}
# Routes for people who are not signed in; tenancy does not apply.
PUBLIC_ROUTES = {
    "accounts:sign_in",
    "accounts:sign_out",
    "accounts:fresh_link",
    "accounts:password_forgot",
    "accounts:password_reset",
    "accounts:activate",
    "accounts:activate_verify",
    "accounts:sms_status_notify",
    "accounts:sms_status_twilio",
    "api:schema",
    "api:docs",
}
# Mounted third-party apps with their own protection (Django's admin: platform staff only;
# the email provider's webhook: its shared secret).
THIRD_PARTY_PREFIXES = ("django-admin/", "anymail/")

# Actions the Add Employer dialog still takes in its form; the form pages' buttons have their
# own endpoints above (each is walked too).
SECTION_ACTIONS = [
    "save",
    "new_organisation",
    "create_organisation",
    "choose_employer",
    "search_employers",
]


def project_routes():
    """(name, pattern text) of every route the project itself serves."""
    found = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if text.startswith(THIRD_PARTY_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, text, inner)
            elif isinstance(pattern, URLPattern):
                found.append((f"{namespace}{pattern.name}", text))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def world():
    """Tenant A's all-powerful administrator, and one of everything in tenant B."""
    everything = [choice for choice, _ in Permission.choices]
    a_admin = AdministratorFactory(roles=everything)
    b = TenantFactory()
    group = EmployerGroupFactory(tenant=b)
    organisation = OrganisationFactory(tenant=b)
    employer = UserFactory(tenant=b, user_type=UserType.EMPLOYER, status=UserStatus.FULL)
    EmployerProfile.objects.create(user=employer, position=PositionFactory(tenant=b))
    organisation.members.add(employer)
    employer.employer_groups.add(organisation.group)
    learner = UserFactory(tenant=b, user_type=UserType.LEARNER)
    invited = UserFactory(tenant=b, user_type=UserType.LEARNER, status=UserStatus.PROSPECT)
    invitation_create(user=invited, sent_by=None)
    record = EmployerRecord.objects.create(
        tenant=b, learner=learner, organisation=organisation, manager=employer, is_primary=True
    )
    return {
        "a_admin": a_admin,
        "b": b,
        "admin": AdministratorFactory(tenant=b),
        "employer": employer,
        "learner": learner,
        "invited": invited,
        "group": group,
        "organisation": organisation,
        "role": RoleFactory(tenant=b, audience=RoleAudience.EMPLOYER),
        "position": PositionFactory(tenant=b),
        "invitation": Invitation.objects.get(user=invited),
        "record": record,
        "upload": Upload.objects.create(
            tenant=b, kind="employers", file_name="b.csv", content="Title\n", status="ready"
        ),
        "batch": InvitationBatch.objects.create(
            tenant=b, kind=BatchKind.SEND, user_ids=[invited.pk]
        ),
        "token": token_create(
            created_by=AdministratorFactory(tenant=b, roles=[Permission.MANAGE_API_TOKENS]),
            name="B's",
            scopes=["users:read"],
        )[0],
    }


def b_ids_in_every_field(world) -> dict:
    """A form post carrying tenant B's ids wherever our forms carry one."""
    record = {
        "key": "x",
        "organisation": world["organisation"].pk,
        "manager": world["employer"].pk,
        "mentor": world["employer"].pk,
        "interfaces": ["classic"],
    }
    return {
        "title": "Ms",
        "first_name": "Cross",
        "surname": "Tenant",
        "email": "cross.tenant@example.com",
        "mobile": "07400 123456",
        "invite": "yes",
        "interfaces": ["classic"],
        "name": "Cross Tenant Ltd",
        "new_position": "Cross Tenant Position",
        "employer_groups": [world["group"].pk, world["organisation"].group.pk],
        "roles": [world["role"].pk],
        "roles_available_pick": [world["role"].pk],
        "roles_assigned_pick": [world["role"].pk],
        "position": world["position"].pk,
        "organisation": world["organisation"].pk,
        "manager": world["employer"].pk,
        "mentor": world["employer"].pk,
        "users": [world["invited"].pk, world["learner"].pk, world["employer"].pk],
        "move": "assign",
        "remove": "x",
        "employer_records": [json.dumps(record)],
        "primary_record": "x",
        "invitation_count": world["invited"].invitation_count,
        "new_organisation-name": "Cross Tenant Org",
    }


def snapshot(world) -> dict:
    """What must not change in tenant B (and what A must not gain from B's ids)."""
    b = world["b"]
    return {
        "b_invitations": list(Invitation.objects.filter(tenant=b).values_list("pk", "status")),
        "b_statuses": sorted(b.users.values_list("pk", "status", "email")),
        "b_group_members": sorted(
            EmployerGroup.members.through.objects.filter(employergroup__tenant=b).values_list(
                "employergroup_id", "user_id"
            )
        ),
        "b_org_members": sorted(
            Organisation.members.through.objects.filter(organisation__tenant=b).values_list(
                "organisation_id", "user_id"
            )
        ),
        "b_roles_held": sorted(world["role"].users.values_list("pk", flat=True)),
        "b_positions": Position.objects.filter(tenant=b).count(),
        "b_records": sorted(EmployerRecord.objects.values_list("pk", "learner_id", "manager_id")),
        "records_naming_b": EmployerRecord.objects.exclude(tenant=b)
        .filter(organisation__tenant=b)
        .count(),
        "a_positions": Position.objects.exclude(tenant=b).count(),
        "a_organisations": Organisation.objects.exclude(tenant=b).count(),
    }


def test_every_project_route_is_classified():
    names = {name for name, _ in project_routes()}
    known = set(OBJECT_ROUTES) | set(TENANT_ROUTES) | PUBLIC_ROUTES
    assert names - known == set(), "classify the new route in tests/test_tenancy.py"
    assert known - names == set(), "a classified route no longer exists"


def test_every_object_route_answers_404_for_another_tenants_objects_and_writes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["a_admin"])
    before = snapshot(world)
    data = b_ids_in_every_field(world)
    checked = 0
    for name, kinds in OBJECT_ROUTES.items():
        for kind in kinds:
            url = reverse(name, args=[world[kind].pk])
            assert client.get(url).status_code in (404, 405), (name, kind, "GET")
            for action in SECTION_ACTIONS:
                with django_capture_on_commit_callbacks(execute=True):
                    response = client.post(url, {**data, "action": action})
                # 405 comes before any lookup (the route takes no POST), so it tells nothing.
                assert response.status_code in (404, 405), (name, kind, action)
                checked += 1
    assert checked == sum(len(kinds) for kinds in OBJECT_ROUTES.values()) * len(SECTION_ACTIONS)
    assert snapshot(world) == before
    assert mail.outbox == []


POST_ONLY = {
    "accounts:invitation_send",
    "learners:record_primary",
    "uploads:confirm",
    "api:invitation",
    "api:cancel",
    "api:reactivate",
    "api:archive",
    "api:unarchive",
    "api:revoke",
}


def test_the_same_routes_answer_for_the_tenants_own_objects(client, world):
    """The twin of the refusal: A's own objects open, so the 404s above mean something."""
    a_admin = world["a_admin"]
    mine = {
        "admin": a_admin,
        "employer": UserFactory(tenant=a_admin.tenant, user_type=UserType.EMPLOYER),
        "learner": UserFactory(tenant=a_admin.tenant),
        "invited": UserFactory(tenant=a_admin.tenant, status=UserStatus.PROSPECT),
        "organisation": OrganisationFactory(tenant=a_admin.tenant),
    }
    mine["record"] = EmployerRecord.objects.create(
        tenant=a_admin.tenant, learner=mine["learner"], organisation=mine["organisation"]
    )
    mine["token"] = token_create(created_by=a_admin, name="A's", scopes=["users:read"])[0]
    mine["upload"] = Upload.objects.create(
        tenant=a_admin.tenant, kind="employers", file_name="a.csv", content="x", status="ready"
    )
    mine["batch"] = InvitationBatch.objects.create(
        tenant=a_admin.tenant, kind=BatchKind.SEND, user_ids=[mine["invited"].pk]
    )
    client.force_login(a_admin)
    for name, kinds in OBJECT_ROUTES.items():
        if name in POST_ONLY:
            continue  # POST only; each is covered by its own tests
        for kind in kinds:
            assert client.get(reverse(name, args=[mine[kind].pk])).status_code == 200, name


def test_routes_without_an_object_never_touch_another_tenant(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["a_admin"])
    before = snapshot(world)
    data = b_ids_in_every_field(world)
    for name, kwargs in TENANT_ROUTES.items():
        url = reverse(name, kwargs=kwargs)
        assert client.get(url).status_code < 500, name
        for action in SECTION_ACTIONS:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(url, {**data, "action": action})
            assert response.status_code < 500, (name, action)
    after = snapshot(world)
    # A may have gained positions and organisations by name; never any link to B's rows.
    for key in ("a_positions", "a_organisations"):
        before.pop(key), after.pop(key)
    assert after == before
    assert all(world["b"].name not in message.body for message in mail.outbox)
    assert all(
        address not in {world["invited"].email, world["learner"].email}
        for message in mail.outbox
        for address in message.to
    )


def test_request_tenant_is_the_signed_in_persons(client, world):
    client.force_login(world["a_admin"])
    response = client.get(reverse("accounts:user_list"))
    assert response.wsgi_request.tenant == world["a_admin"].tenant
    client.logout()
    response = client.get(reverse("accounts:sign_in"))
    assert response.wsgi_request.tenant is None
