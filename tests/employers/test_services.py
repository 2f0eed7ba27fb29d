from unittest import mock

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.invitations import services as account_services
from accounts.invitations.models import InvitationStatus
from accounts.models import AuditEvent, RoleAudience, User, UserStatus
from employers import services
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    PositionFactory,
    RoleFactory,
    TenantFactory,
)

pytestmark = pytest.mark.django_db


class ProviderDown(Exception):
    pass


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def data(admin):
    tenant = admin.tenant
    return {
        "title": "Ms",
        "first_name": " Jo ",
        "surname": "Bloggs",
        "email": "Jo.Bloggs@Example.COM",
        "mobile": "07400 123456",
        "postcode": "ls1 1ur",
        "employer_groups": [EmployerGroupFactory(tenant=tenant).pk],
        "roles": [RoleFactory(tenant=tenant, audience=RoleAudience.EMPLOYER).pk],
        "position": PositionFactory(tenant=tenant).pk,
        "interfaces": ["classic"],
        "invite": True,
    }


def create(admin, data, capture):
    """Create, then let the after-commit email go, as it does outside a test transaction."""
    with capture(execute=True):
        user, invitation = services.employer_create(
            tenant=admin.tenant, created_by=admin, data=data
        )
    if invitation is not None:
        invitation.refresh_from_db()
    return user, invitation


def errors_of(caught) -> dict[str, list[str]]:
    return {
        field: [str(m) for m in e.messages]
        for field, e in ((f, ValidationError(v)) for f, v in caught.value.error_dict.items())
    }


def test_invited_employer_is_created_with_everything_and_one_email(
    admin, data, django_capture_on_commit_callbacks
):
    user, invitation = create(admin, data, django_capture_on_commit_callbacks)
    assert user.status == UserStatus.INVITED and user.user_type == "employer"
    assert user.first_name == "Jo" and user.email == "Jo.Bloggs@example.com"
    assert user.username == "Jo.Bloggs@example.com"
    assert user.mobile == "+447400123456" and user.postcode == "LS1 1UR"
    assert user.employer_groups.count() == 1 and user.roles.count() == 1
    assert user.employer_profile.position_id == data["position"]
    assert user.interfaces == ["Classic"]
    assert not user.has_usable_password()
    assert invitation.status == InvitationStatus.SENT and invitation.sent_by == admin
    assert invitation.provider_message_id != ""
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Jo.Bloggs@example.com"]
    actions = set(AuditEvent.objects.filter(subject=user).values_list("action", flat=True))
    assert {"user.created", "invitation.created", "invitation.sent"} <= actions
    assert AuditEvent.objects.filter(subject=user, actor=admin, action="user.created").exists()


def test_prospect_gets_no_email_and_no_invitation(admin, data, django_capture_on_commit_callbacks):
    user, invitation = create(admin, {**data, "invite": False}, django_capture_on_commit_callbacks)
    assert user.status == UserStatus.PROSPECT and invitation is None
    assert mail.outbox == [] and user.invitations.count() == 0


@pytest.mark.parametrize("invite", [True, False])
def test_creating_an_employer_computes_no_password_hash(
    admin, data, settings, django_capture_on_commit_callbacks, invite
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with mock.patch.object(PBKDF2PasswordHasher, "encode", side_effect=AssertionError) as encode:
        user, _ = create(admin, {**data, "invite": invite}, django_capture_on_commit_callbacks)
    assert encode.call_count == 0
    assert not user.has_usable_password()


def test_a_failing_provider_keeps_the_account_and_the_retry_sends_exactly_one_email(
    admin, data, django_capture_on_commit_callbacks
):
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=ProviderDown("503 from provider"),
    ):
        user, invitation = create(admin, data, django_capture_on_commit_callbacks)
    assert User.objects.filter(pk=user.pk, status=UserStatus.INVITED).exists()
    assert invitation.status == InvitationStatus.FAILED
    assert "503 from provider" in invitation.error
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        retry, sent_now = account_services.invitation_send(
            user=user, sent_by=admin, expected_count=user.invitation_count
        )
    retry.refresh_from_db()
    assert sent_now and retry.status == InvitationStatus.SENT
    assert len(mail.outbox) == 1

    # The same retry arriving again (double click, replayed request) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again, sent_now = account_services.invitation_send(
            user=user, sent_by=admin, expected_count=user.invitation_count - 1
        )
    assert not sent_now and again.pk == retry.pk
    assert len(mail.outbox) == 1


def test_delivering_the_same_invitation_twice_sends_once(
    admin, data, django_capture_on_commit_callbacks
):
    _user, invitation = create(admin, data, django_capture_on_commit_callbacks)
    account_services.invitation_deliver(invitation_id=invitation.pk)
    account_services.invitation_deliver(invitation_id=invitation.pk)
    assert len(mail.outbox) == 1


def test_email_taken_ignoring_case_gets_the_products_message(
    admin, data, django_capture_on_commit_callbacks
):
    create(admin, data, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as caught:
        create(
            admin, {**data, "email": "JO.BLOGGS@example.com"}, django_capture_on_commit_callbacks
        )
    assert errors_of(caught)["email"] == [
        "The email address 'JO.BLOGGS@example.com' is already registered to another account and "
        "cannot be used with this account. Please check that you have typed the address correctly."
    ]


def test_every_rule_reports_at_its_field(admin):
    with pytest.raises(ValidationError) as caught:
        services.employer_clean(
            tenant=admin.tenant,
            data={
                "first_name": "x" * 51,
                "postcode": "nope",
                "mobile": "12",
                "email": "not-an-email",
            },
        )
    errors = errors_of(caught)
    assert errors["title"] == ["Select a title."]
    assert errors["first_name"] == ["First name must be 50 characters or fewer."]
    assert errors["surname"] == ["Enter a surname."]
    assert errors["email"][0].startswith("Enter an email address in the correct format")
    assert errors["mobile"][0].startswith("Enter a valid mobile number")
    assert errors["postcode"] == ["Enter a real UK postcode, like SW1A 1AA."]
    assert errors["employer_groups"] == ["Select at least one employer group."]
    assert errors["interfaces"] == ["Select at least one interface the employer can sign in to."]
    assert errors["invite"][0].startswith("Select Yes to send the activation email now")


def test_groups_roles_and_positions_of_another_tenant_are_refused(admin, data):
    other = TenantFactory()
    stolen = {
        **data,
        "employer_groups": [EmployerGroupFactory(tenant=other).pk],
        "roles": [RoleFactory(tenant=other, audience=RoleAudience.EMPLOYER).pk],
        "position": PositionFactory(tenant=other).pk,
    }
    with pytest.raises(ValidationError) as caught:
        services.employer_clean(tenant=admin.tenant, data=stolen)
    assert set(errors_of(caught)) == {"employer_groups", "roles", "position"}


def test_administrator_roles_cannot_be_given_to_an_employer(admin, data):
    admin_role = RoleFactory(tenant=admin.tenant, audience=RoleAudience.ADMINISTRATOR)
    with pytest.raises(ValidationError) as caught:
        services.employer_clean(tenant=admin.tenant, data={**data, "roles": [admin_role.pk]})
    assert "roles" in errors_of(caught)


def test_mfv_tenants_get_the_mfv_message_for_a_missing_mobile(admin, data):
    admin.tenant.mfv_employers = True
    admin.tenant.save()
    with pytest.raises(ValidationError) as caught:
        services.employer_clean(tenant=admin.tenant, data={**data, "mobile": ""})
    assert "multi-factor verification" in errors_of(caught)["mobile"][0]


def test_username_defaults_to_email_unless_someone_uses_it(
    admin, data, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(username="jo.bloggs@example.com", email="someone@else.example")
    user, _ = create(admin, data, django_capture_on_commit_callbacks)
    assert user.username is None  # chosen at activation instead


def test_positions_are_unique_per_tenant_ignoring_case(admin):
    services.position_create(tenant=admin.tenant, title="Site  Foreman")
    with pytest.raises(ValidationError, match="already exists"):
        services.position_create(tenant=admin.tenant, title="site foreman")
    services.position_create(tenant=TenantFactory(), title="Site Foreman")


def test_creating_with_many_groups_costs_no_query_per_group(admin, data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    def queries_with(group_count: int, n: int) -> int:
        groups = [OrganisationFactory(tenant=admin.tenant).group.pk for _ in range(group_count)]
        with CaptureQueriesContext(connection) as captured:
            services.employer_create(
                tenant=admin.tenant,
                created_by=admin,
                data={
                    **data,
                    "email": f"many{n}@example.com",
                    "employer_groups": groups,
                    "invite": False,
                },
            )
        return len(captured)

    assert queries_with(1, 1) == queries_with(6, 2)


def test_groups_roles_and_positions_of_this_tenant_are_accepted(admin, data):
    """The twin of the two refusals above: the tenant's own employer role, group and position."""
    role = RoleFactory(tenant=admin.tenant, audience=RoleAudience.EMPLOYER)
    group = EmployerGroupFactory(tenant=admin.tenant)
    position = PositionFactory(tenant=admin.tenant)
    clean = services.employer_clean(
        tenant=admin.tenant,
        data={**data, "employer_groups": [group.pk], "roles": [role.pk], "position": position.pk},
    )
    assert clean["employer_groups"] == [group] and clean["roles"] == [role]
    assert clean["position"] == position


def test_a_position_title_or_organisation_field_beyond_its_column_is_refused(admin):
    with pytest.raises(ValidationError) as caught:
        services.position_create(tenant=admin.tenant, title="P" * 101)
    assert caught.value.messages == ["Position title must be 100 characters or fewer."]
    assert services.position_create(tenant=admin.tenant, title="P" * 100).title == "P" * 100
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(tenant=admin.tenant, name="N" * 201, town="T" * 61)
    assert errors_of(caught) == {
        "name": ["Employer name must be 200 characters or fewer."],
        "town": ["Town or city must be 60 characters or fewer."],
    }
