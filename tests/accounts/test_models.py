import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def insert_user(tenant, email, username=None):
    """Straight to the database, below every form and service."""
    return User.objects.create(
        tenant=tenant,
        user_type="employer",
        title="Ms",
        first_name="Jo",
        surname="Bloggs",
        email=email,
        username=username,
    )


def test_email_is_unique_per_tenant_ignoring_case():
    tenant = TenantFactory()
    insert_user(tenant, "Jo@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_user(tenant, "jo@example.com")
    assert User.objects.filter(tenant=tenant).count() == 1


def test_same_email_may_exist_in_two_tenants():
    insert_user(TenantFactory(), "Jo@Example.com")
    insert_user(TenantFactory(), "jo@example.com")
    assert User.objects.filter(email__iexact="jo@example.com").count() == 2


def test_username_is_unique_ignoring_case_across_tenants():
    insert_user(TenantFactory(), "a@example.com", username="JoBloggs")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_user(TenantFactory(), "b@example.com", username="jobloggs")


def test_many_users_may_have_no_username_yet():
    tenant = TenantFactory()
    insert_user(tenant, "one@example.com")
    insert_user(tenant, "two@example.com")
    assert User.objects.filter(username__isnull=True).count() == 2


def test_interfaces_and_address_read_as_people_expect():
    user = UserFactory.build(
        interface_classic=True,
        interface_console=True,
        address_line_1="1 High St",
        town="Leeds",
        postcode="LS1 1AA",
    )
    assert user.interfaces == ["Classic", "Console"]
    assert user.address_lines == ["1 High St", "Leeds", "LS1 1AA"]
