import pytest
from django.core import mail
from django.urls import reverse

from accounts.invitations import services as account_services
from accounts.models import AuditEvent, UserStatus
from tests.factories import AdministratorFactory, EmployerGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    return admin


@pytest.fixture
def employer(admin):
    employer = UserFactory(
        tenant=admin.tenant,
        user_type="employer",
        first_name="Eve",
        surname="Stone",
        email="eve@stone.example",
        status=UserStatus.PROSPECT,
    )
    employer.employer_groups.add(EmployerGroupFactory(tenant=admin.tenant, name="Stone Group"))
    return employer


def edit_data(employer, **changes):
    data = {
        "title": "Ms",
        "first_name": employer.first_name,
        "surname": employer.surname,
        "email": employer.email,
        "mobile": "07400 123456",
        "employer_groups": [g.pk for g in employer.employer_groups.all()],
        "interfaces": ["classic"],
    }
    data.update(changes)
    return data


def test_edit_page_is_prefilled_and_has_no_invite_question(client, employer):
    html = client.get(reverse("employers:edit", args=[employer.pk])).content.decode()
    assert 'value="Eve"' in html and 'value="eve@stone.example"' in html
    assert "Stone Group" in html and "checked" in html
    assert "Would you like to invite" not in html


def test_edit_uses_the_add_employer_rules(client, admin, employer):
    UserFactory(tenant=admin.tenant, email="taken@example.com")
    response = client.post(
        reverse("employers:edit", args=[employer.pk]),
        edit_data(employer, email="TAKEN@example.com", surname=""),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "is already registered to another account" in html
    assert "Enter a surname." in html


def test_saving_records_an_audit_event_and_an_email_change_kills_the_link(
    client, admin, employer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.invitation_send(user=employer, sent_by=admin)
    link = mail.outbox[0].body.split("https://aptem.test")[1].split()[0]
    response = client.post(
        reverse("employers:edit", args=[employer.pk]),
        edit_data(employer, email="eve.new@stone.example"),
        follow=True,
    )
    assert "earlier activation links no longer work" in response.content.decode()
    assert AuditEvent.objects.filter(subject=employer, action="user.updated").exists()
    client.logout()
    assert b"does not work" in client.get(link).content


def test_only_employers_of_this_tenant_can_be_edited(client, admin):
    learner = UserFactory(tenant=admin.tenant, user_type="learner")
    assert client.get(reverse("employers:edit", args=[learner.pk])).status_code == 404
    stranger = UserFactory(user_type="employer")
    assert client.get(reverse("employers:edit", args=[stranger.pk])).status_code == 404


def test_an_employer_of_this_tenant_opens_for_editing(client, admin):
    """The twin of the refusal above."""
    employer = UserFactory(tenant=admin.tenant, user_type="employer")
    assert client.get(reverse("employers:edit", args=[employer.pk])).status_code == 200
