import base64
import json
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from accounts.invitations.models import InvitationStatus
from accounts.models import Role, RoleAudience, User, UserStatus
from employers.models import EmployerGroup, Position
from tests.factories import (
    AdministratorFactory,
    EmployerGroupFactory,
    PositionFactory,
    RoleFactory,
    TenantFactory,
)

pytestmark = pytest.mark.django_db
ADD = reverse("employers:add")
GROUPS = reverse("employers:add_groups")
ROLES = reverse("employers:add_roles")
ROLE_SEARCH = reverse("employers:add_role_search")
POSITION_ADD = reverse("employers:add_position_add")


@pytest.fixture
def admin(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    return admin


def valid_post(admin, **overrides):
    group = EmployerGroupFactory(tenant=admin.tenant, name="North")
    data = {
        "title": "Mr",
        "first_name": "Sam",
        "surname": "Khan",
        "email": "sam@khan.example",
        "mobile": "07400 123456",
        "employer_groups": [group.pk],
        "interfaces": ["console"],
        "invite": "yes",
    }
    data.update(overrides)
    return data


def test_only_create_users_roles_see_create_and_reach_the_pages(client):
    viewer = AdministratorFactory(roles=[])
    client.force_login(viewer)
    assert b"Create</summary>" not in client.get(reverse("accounts:user_list")).content
    assert client.get(reverse("accounts:confirm_create", args=["employer"])).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {}).status_code == 403

    creator = AdministratorFactory()
    client.force_login(creator)
    assert b"Create</summary>" in client.get(reverse("accounts:user_list")).content
    assert client.get(reverse("accounts:confirm_create", args=["employer"])).status_code == 200
    assert client.get(ADD).status_code == 200


def test_empty_submit_explains_every_mandatory_field_and_keeps_what_was_typed(client, admin):
    response = client.post(ADD, {"first_name": "Kept", "town": "Leeds"})
    assert response.status_code == 422
    html = response.content.decode()
    for field in ["title", "surname", "email", "mobile", "employer_groups", "interfaces", "invite"]:
        assert f'href="#id_{field}"' in html, field
        assert f'id="id_{field}_error"' in html, field
    assert 'value="Kept"' in html and 'value="Leeds"' in html
    assert User.objects.filter(user_type="employer").count() == 0


def test_create_redirects_to_the_profile_with_a_banner(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, valid_post(admin))
    user = User.objects.get(email="sam@khan.example")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[user.pk])
    page = client.get(response.url).content.decode()
    assert "Employer Sam Khan created." in page


@pytest.mark.django_db(transaction=True)
def test_a_failing_provider_is_reported_plainly_and_resend_sends_one_email(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send",
        side_effect=ConnectionError("provider unreachable"),
    ):
        response = client.post(ADD, valid_post(admin), follow=True)
    user = User.objects.get(email="sam@khan.example")
    html = response.content.decode()
    assert "could not be sent (provider unreachable)" in html
    assert "Resend invitation" in html
    assert user.invitations.get().status == InvitationStatus.FAILED
    assert mail.outbox == []

    form_count = user.invitation_count
    send = reverse("accounts:invitation_send", args=[user.pk])
    response = client.post(send, {"invitation_count": form_count}, follow=True)
    assert "Invitation email sent to sam@khan.example." in response.content.decode()
    assert len(mail.outbox) == 1
    # The same form posted again (double click) sends nothing more.
    response = client.post(send, {"invitation_count": form_count}, follow=True)
    assert "Nothing was sent again" in response.content.decode()
    assert len(mail.outbox) == 1


def test_section_actions_keep_typing_and_never_show_errors(client, admin):
    EmployerGroupFactory(tenant=admin.tenant, name="Leeds Digital")
    EmployerGroupFactory(tenant=admin.tenant, name="York Care")
    response = client.post(GROUPS, {"first_name": "Typed", "group_search": "digital"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in html
    assert 'value="Typed"' in html
    assert "Leeds Digital" in html and "York Care" not in html


def test_ticked_groups_stay_ticked_when_the_search_changes(client, admin):
    leeds = EmployerGroupFactory(tenant=admin.tenant, name="Leeds Digital")
    EmployerGroupFactory(tenant=admin.tenant, name="York Care")
    html = client.post(
        GROUPS, {"employer_groups": [leeds.pk], "group_search": "york"}
    ).content.decode()
    assert f'value="{leeds.pk}" id="group-{leeds.pk}" checked' in html
    assert "Selected (1)" in html and "York Care" in html


def test_roles_move_between_available_and_assigned(client, admin):
    mentor = RoleFactory(tenant=admin.tenant, name="Mentor role", audience=RoleAudience.EMPLOYER)
    other = RoleFactory(tenant=admin.tenant, name="Other role", audience=RoleAudience.EMPLOYER)
    RoleFactory(tenant=admin.tenant, name="Admin only", audience=RoleAudience.ADMINISTRATOR)
    response = client.post(ROLES, {"roles_available_pick": [mentor.pk], "move": "assign"})
    assigned = [r.name for r in response.context["roles_assigned"]]
    available = [r.name for r in response.context["roles_available"]]
    assert assigned == ["Mentor role"] and available == ["Other role"]
    assert "Admin only" not in response.content.decode()
    response = client.post(
        ROLES,
        {"roles": [mentor.pk, other.pk], "roles_assigned_pick": [mentor.pk], "move": "unassign"},
    )
    assert [r.name for r in response.context["roles_assigned"]] == ["Other role"]


def test_add_position_saves_it_for_the_tenant_and_selects_it(client, admin):
    response = client.post(POSITION_ADD, {"new_position": "Quality Lead"})
    position = Position.objects.get(tenant=admin.tenant, title="Quality Lead")
    assert response.context["selected_position"] == position.pk
    assert "Position &#x27;Quality Lead&#x27; added and selected." in response.content.decode()
    response = client.post(POSITION_ADD, {"new_position": "quality LEAD"})
    assert "already exists" in response.content.decode()
    assert Position.objects.filter(tenant=admin.tenant).count() == 1


@pytest.mark.parametrize("title", ["Site\x00Lead", "Site\u200bLead"])
def test_a_position_title_with_a_hidden_character_is_refused_at_its_field(client, admin, title):
    """The section endpoint skips the form's own checks: the service refuses NUL (which
    PostgreSQL cannot store) and invisible characters with the field's message."""
    response = client.post(POSITION_ADD, {"new_position": title})
    assert response.status_code == 200
    assert "Position title cannot contain invisible or control characters" in (
        response.content.decode()
    )
    assert not Position.objects.filter(tenant=admin.tenant).exists()


def test_a_large_tenant_keeps_the_add_employer_page_small_and_its_queries_bounded(
    client, admin, django_assert_max_num_queries
):
    tenant = admin.tenant
    EmployerGroup.objects.bulk_create(
        EmployerGroup(tenant=tenant, name=f"Group {n:05d}", path=f"Group {n:05d}")
        for n in range(10_000)
    )
    Role.objects.bulk_create(
        Role(tenant=tenant, name=f"Employer role {n:04d}", audience=RoleAudience.EMPLOYER)
        for n in range(1_000)
    )
    Position.objects.bulk_create(
        Position(tenant=tenant, title=f"Position {n:04d}") for n in range(2_000)
    )
    with django_assert_max_num_queries(8):
        response = client.get(ADD)
    html = response.content.decode()
    assert html.count('name="employer_groups"') == 50
    assert "Group 09999" not in html
    # One page of roles (50), one of positions (50 + "No position"), titles, genders.
    assert html.count("<option") < 50 + 51 + 20
    assert "Employer role 0999" not in html and len(html) < 120_000
    assert "Search to find others" in html and "Find narrows it" in html
    with django_assert_max_num_queries(8):
        response = client.post(GROUPS, {"group_search": "09999"})
    assert "Group 09999" in response.content.decode()
    with django_assert_max_num_queries(8):
        response = client.post(ROLE_SEARCH, {"role_search": "0999"}, HTTP_HX_REQUEST="true")
    partial = response.content.decode()
    assert "Employer role 0999" in partial and "Employer role 0998" not in partial


def test_another_tenants_profile_cannot_be_sent_an_invitation(client, admin):
    stranger = User.objects.create(
        tenant=TenantFactory(),
        user_type="employer",
        title="Ms",
        first_name="A",
        surname="B",
        email="stranger@example.com",
        status=UserStatus.PROSPECT,
    )
    response = client.post(reverse("accounts:invitation_send", args=[stranger.pk]))
    assert response.status_code == 404
    assert mail.outbox == []


def test_profile_shows_invitation_history_and_audit_trail(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, valid_post(admin))
    user = User.objects.get(email="sam@khan.example")
    html = client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert "Invitations" in html and "Sent" in html and "Expires" in html
    assert admin.full_name in html
    assert "Employer Sam Khan created as Invited" in html
    assert "Resend invitation" in html


def test_tracking_webhook_marks_delivery_and_needs_the_secret(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, valid_post(admin))
    invitation = User.objects.get(email="sam@khan.example").invitations.get()
    payload = {
        "RecordType": "Delivery",
        "MessageID": invitation.provider_message_id,
        "Recipient": "sam@khan.example",
        "DeliveredAt": "2026-11-29T10:00:00Z",
    }
    url = "/anymail/postmark/tracking/"

    refused = client.post(url, json.dumps(payload), content_type="application/json")
    assert refused.status_code in (400, 401, 403)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT

    secret = base64.b64encode(b"tracking:webhook-secret-for-tests").decode()
    accepted = client.post(
        url,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {secret}",
    )
    assert accepted.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DELIVERED

    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "MessageID": invitation.provider_message_id,
        "Email": "sam@khan.example",
        "BouncedAt": "2026-11-29T10:05:00Z",
        "ID": 1,
    }
    client.post(
        url,
        json.dumps(bounce),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {secret}",
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.BOUNCED


def test_with_htmx_a_section_answers_with_that_section_alone(client, admin):
    """The partial comes back for htmx; the whole page for a plain post (no JavaScript)."""
    mentor = RoleFactory(tenant=admin.tenant, name="Mentor role", audience=RoleAudience.EMPLOYER)
    data = {"first_name": "Typed", "roles_available_pick": [mentor.pk], "move": "assign"}
    partial = client.post(ROLES, data, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section class="card mb-4" aria-labelledby="roles-heading"')
    assert "Mentor role" in partial and "<html" not in partial and 'value="Typed"' not in partial
    page = client.post(ROLES, data).content.decode()
    assert "<html" in page and 'value="Typed"' in page and "Mentor role" in page


def test_with_htmx_the_group_search_answers_with_the_group_lists(client, admin):
    EmployerGroupFactory(tenant=admin.tenant, name="Leeds Digital")
    html = client.post(GROUPS, {"group_search": "leeds"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="group-lists"') and "Leeds Digital" in html


def test_the_create_post_only_creates_section_fields_do_nothing_there(client, admin):
    """Posting the page itself with a new position title creates no position: only the Add
    button's own endpoint does."""
    response = client.post(ADD, {"new_position": "Quality Lead", "move": "assign"})
    assert response.status_code == 422
    assert not Position.objects.filter(tenant=admin.tenant).exists()


def test_assigned_roles_stay_shown_whatever_the_search(client, admin):
    kept = RoleFactory(tenant=admin.tenant, name="Zeta role", audience=RoleAudience.EMPLOYER)
    RoleFactory(tenant=admin.tenant, name="Alpha role", audience=RoleAudience.EMPLOYER)
    response = client.post(ROLE_SEARCH, {"roles": [kept.pk], "role_search": "alpha"})
    assert [r.name for r in response.context["roles_assigned"]] == ["Zeta role"]
    assert [r.name for r in response.context["roles_available"]] == ["Alpha role"]


def test_the_position_combobox_asks_for_matches_of_this_tenant_only(client, admin):
    PositionFactory(tenant=admin.tenant, title="Site Foreman")
    PositionFactory(tenant=admin.tenant, title="Quality Lead")
    PositionFactory(tenant=TenantFactory(), title="Site Manager")
    url = reverse("employers:position_options")
    response = client.get(url, {"q": "site"})
    assert [item["label"] for item in response.json()["results"]] == ["Site Foreman"]
    assert client.get(url, {"q": "\x00²"}).json() == {"results": []}
    client.force_login(AdministratorFactory(tenant=admin.tenant, roles=[]))
    assert client.get(url, {"q": "site"}).status_code == 403


def test_a_tracking_event_for_a_message_we_did_not_send_changes_nothing(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ADD, valid_post(admin))
    invitation = User.objects.get(email="sam@khan.example").invitations.get()
    secret = base64.b64encode(b"tracking:webhook-secret-for-tests").decode()
    for message_id in ("someone-elses-message", "", invitation.provider_message_id + "x"):
        bounce = {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": message_id,
            "Email": "sam@khan.example",
            "BouncedAt": "2026-11-29T10:05:00Z",
            "ID": 1,
        }
        response = client.post(
            "/anymail/postmark/tracking/",
            json.dumps(bounce),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {secret}",
        )
        assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_the_invitation_question_comes_first_on_the_page_and_in_the_errors(client, admin):
    """As the product's own page asks it: step 4, before the fields."""
    html = client.post(ADD, {}).content.decode()
    page = html[html.index("<form") :]
    assert page.index("Would you like to invite this employer?") < page.index("First name")
    summary = html[html.index('id="error-summary"') :]
    first_link = summary[summary.index("<a ") : summary.index("</a>")]
    assert "#id_invite" in first_link
