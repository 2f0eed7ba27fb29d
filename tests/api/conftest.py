import pytest
from rest_framework.test import APIClient

from accounts.models import Permission
from api.models import Scope
from api.tokens import token_create
from tests.factories import AdministratorFactory, EmployerGroupFactory

ALL_SCOPES = list(Scope.values)


@pytest.fixture
def admin(db):
    return AdministratorFactory(
        roles=[
            Permission.CREATE_USERS,
            Permission.MANAGE_ORGANISATIONS,
            Permission.MANAGE_API_TOKENS,
        ]
    )


@pytest.fixture
def tenant(admin):
    return admin.tenant


@pytest.fixture
def group(tenant):
    return EmployerGroupFactory(tenant=tenant, name="North West")


@pytest.fixture
def client_for():
    """An API client sending ``secret`` as its bearer token."""

    def make(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def token_for(client_for):
    """(token, client) for a new token of ``user`` with ``scopes`` (all, unless told)."""

    def make(user, scopes=None, days=90):
        token, secret = token_create(
            created_by=user, name="Integration", scopes=scopes or ALL_SCOPES, days=days
        )
        return token, client_for(secret)

    return make


@pytest.fixture
def api(admin, token_for):
    """A client with every scope, acting as ``admin``."""
    return token_for(admin)[1]


@pytest.fixture
def employer_body(group):
    return {
        "title": "Ms",
        "first_name": "Jo",
        "surname": "Bloggs",
        "email": "jo.bloggs@example.com",
        "mobile": "07400 123456",
        "employer_groups": [group.pk],
        "interfaces": ["classic"],
        "invite": True,
    }


def learner_body(*records: dict) -> dict:
    """Add Learner's fields, with these employer records, kept as a Prospect."""
    return {
        "title": "Mr",
        "first_name": "Sam",
        "surname": "Khan",
        "email": "sam@example.com",
        "mobile": "07400 654321",
        "invite": False,
        "employer_records": list(records),
    }


def errors_of(response) -> dict[str, list[str]]:
    """A problem response's messages by field."""
    found: dict[str, list[str]] = {}
    for error in response.json().get("errors", []):
        found.setdefault(error["field"], []).append(error["message"])
    return found
