"""The schema is committed (a change to the API shows in review), and the API keeps to it:
Schemathesis sends at least 100 generated requests to every operation, valid and invalid, and
no answer is a server error or breaks the schema."""

from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Permission, RoleAudience, UserStatus, UserType
from api.models import Scope
from api.tokens import token_create
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    OrganisationFactory,
    PositionFactory,
    RoleFactory,
    UserFactory,
)

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
OPERATIONS = [
    (operation.path, operation.method.upper())
    for result in schema.get_all_operations()
    for operation in [result.ok()]
]


def test_the_committed_schema_is_the_apis_own():
    generated = OpenApiYamlRenderer().render(
        SchemaGenerator().get_schema(request=None, public=True), renderer_context={}
    )
    assert COMMITTED.read_bytes() == generated, "run `make schema` and commit docs/api/openapi.yaml"


def test_every_endpoint_is_in_the_schema():
    paths = {path for path, _ in OPERATIONS}
    assert len(OPERATIONS) == 17
    assert "/api/v1/employers/bulk/" in paths and "/api/v1/users/{id}/" in paths


@pytest.fixture
def bearer(db, settings):
    """A token with every scope, in a tenant with one of everything to refer to."""
    settings.API_RATE = "100000/minute"
    admin = AdministratorFactory(roles=[Permission.CREATE_USERS, Permission.MANAGE_ORGANISATIONS])
    tenant = admin.tenant
    EmployerGroupFactory(tenant=tenant)
    organisation = OrganisationFactory(tenant=tenant)
    RoleFactory(tenant=tenant, audience=RoleAudience.EMPLOYER)
    PositionFactory(tenant=tenant)
    for status in (UserStatus.PROSPECT, UserStatus.FULL):
        person = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, status=status)
        organisation.members.add(person)
        UserFactory(tenant=tenant, status=status)
    _, secret = token_create(created_by=admin, name="Schemathesis", scopes=list(Scope.values))
    # As Django's test client does: the request signals must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {secret}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_request_breaks_the_schema_or_the_server(bearer, path, method):
    operation = schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def send(case):
        nonlocal sent
        sent += 1
        response = case.call(headers=bearer)
        case.validate_response(response, checks=CHECKS, headers=bearer)

    send()
    assert sent >= EXAMPLES
