"""Random input on every route: strings of any script and control characters, huge and odd
numbers, deep nesting, long values, repeated fields. Whatever arrives, a page answers (a message,
a 4xx), never a server error. Runs on SQLite and on PostgreSQL, which refuses more (NUL bytes,
integers past 64 bits)."""

import json

import pytest
from django import forms as django_forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import forms as account_forms
from accounts.models import Permission, UserType
from api.tokens import token_create
from employers import forms as employer_forms
from learners import forms as learner_forms
from learners.models import EmployerRecord
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)
from tests.test_tenancy import PUBLIC_ROUTES, SECTION_ACTIONS, project_routes

pytestmark = pytest.mark.django_db

# Parameters read straight from the request rather than through a form.
LOOSE_NAMES = [
    "q", "page", "per_page", "before", "after", "status", "kind", "draft", "action", "move",
    "remove", "key", "users", "invitation_count", "show_selected", "group_search",
    "role_search", "position_search", "organisation_search", "staff_search", "new_position",
    "roles_available_pick", "roles_assigned_pick", "primary_record", "employer_records",
]  # fmt: skip


def form_field_names() -> list[str]:
    names = set(LOOSE_NAMES)
    for module in (account_forms, employer_forms, learner_forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, django_forms.BaseForm):
                names.update(value.base_fields)
    names.update(f"new_organisation-{name}" for name in employer_forms.OrganisationForm.base_fields)
    return sorted(names)


FIELD_NAMES = form_field_names()


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def record(value) -> str:
    """An employer record (JSON in a hidden field) with a hostile value in every key."""
    keys = ("key", "organisation", "manager", "mentor", "interfaces", "main_aim_reference")
    return json.dumps(dict.fromkeys(keys, value))


text = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["²", "1e9", "0x10", "-0", " 7 ", "٣", "1.5", "NaN", "9" * 40]),
)
values = st.one_of(
    text,
    numbers,
    st.integers(min_value=1, max_value=5000).map(nested),
    st.one_of(text, numbers, st.integers()).map(record),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "x" * n),
    st.sampled_from(["", "\x00", "a\x00b", "\u202e", "\ufeff", "yes", "no", "on", "classic"]),
)
request_data = st.dictionaries(
    st.sampled_from(FIELD_NAMES), st.lists(values, min_size=1, max_size=3), max_size=8
)
actions = st.sampled_from(["", *SECTION_ACTIONS])


@pytest.fixture
def site(client):
    """An all-powerful administrator signed in, and one of each object the routes name."""
    everything = [choice for choice, _ in Permission.choices]
    admin = AdministratorFactory(roles=everything)
    tenant = admin.tenant
    organisation = OrganisationFactory(tenant=tenant)
    employer = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    organisation.members.add(employer)
    EmployerGroupFactory(tenant=tenant)
    RoleFactory(tenant=tenant)
    learner = UserFactory(tenant=tenant, user_type=UserType.LEARNER)
    record = EmployerRecord.objects.create(
        tenant=tenant, learner=learner, organisation=organisation, manager=employer
    )
    objects = {
        "employer-records": record.pk,
        "employers": employer.pk,
        "organisations": organisation.pk,
        "users": employer.pk,
        "learners": learner.pk,
        "settings": token_create(created_by=admin, name="Fuzz", scopes=["users:read"])[0].pk,
    }
    client.raise_request_exception = False
    return client, admin, objects


def route_kwargs(pattern: str, objects: dict) -> dict:
    if "<uidb64>" in pattern:
        return {"uidb64": "MQ", "token": "abc-def"} if "<token>" in pattern else {"uidb64": "MQ"}
    if "<int:pk>" in pattern:
        segments = pattern.split("/")
        first = segments[2] if segments[0] == "api" else segments[0]
        return {"pk": objects[first]}
    if "<str:kind>" in pattern:
        return {"kind": "employer"}
    if "<slug:kind>" in pattern:
        return {"kind": "employers"}
    return {}


@pytest.mark.parametrize(("name", "pattern"), project_routes())
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=st.sampled_from(["get", "post"]), data=request_data, action=actions)
def test_no_input_makes_a_server_error(site, name, pattern, method, data, action):
    client, admin, objects = site
    if name in PUBLIC_ROUTES and name != "accounts:sign_out":
        client.logout()
    else:
        client.force_login(admin)
    if action:
        data = {**data, "action": [action]}
    url = reverse(name, kwargs=route_kwargs(pattern, objects) or None)
    response = getattr(client, method)(url, data)
    assert response.status_code < 500, (name, method, data, response.status_code)
