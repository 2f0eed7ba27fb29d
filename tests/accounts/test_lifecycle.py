"""Cancel and reactivate: the transitions, their refusals with the exact messages, and what
cancelling does at once (no sign-in, sessions ended, links dead, gone from pickers)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import lifecycle
from accounts.invitations.tokens import activation_token_generator
from accounts.models import UserStatus, UserType
from employers.selectors import organisation_staff
from tests.factories import PASSWORD, AdministratorFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_cancelling_ends_sign_in_and_sessions_and_removes_from_pickers():
    admin = AdministratorFactory()
    organisation = OrganisationFactory(tenant=admin.tenant)
    person = UserFactory(
        tenant=admin.tenant,
        user_type=UserType.EMPLOYER,
        username="leaver",
        password=PASSWORD,
        activated_at=timezone.now(),
    )
    organisation.members.add(person)
    browser = Client()
    browser.force_login(person)
    assert browser.get("/").status_code == 200

    lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Left the company")
    person.refresh_from_db()
    assert person.status == UserStatus.CANCELLED
    assert browser.get("/").status_code == 302  # their next request: the sign-in page
    assert not Client().login(username="leaver", password=PASSWORD)
    assert person not in organisation_staff(organisation=organisation)
    assert "Left the company" in person.audit_events.get(action="account.cancelled").summary

    # Reactivated, they sign in afresh: the old session does not come back to life.
    lifecycle.account_reactivate(user=person, reactivated_by=admin)
    assert browser.get("/").status_code == 302
    assert Client().login(username="leaver", password=PASSWORD)


def test_cancelling_kills_a_pending_activation_link():
    admin = AdministratorFactory()
    invited = UserFactory(tenant=admin.tenant, status=UserStatus.INVITED)
    token = activation_token_generator.make_token(invited)
    lifecycle.account_cancel(user=invited, cancelled_by=admin, reason="Duplicate account")
    invited.refresh_from_db()
    assert not activation_token_generator.check_token(invited, token)


@pytest.mark.parametrize(
    ("activated", "becomes"), [(True, UserStatus.FULL), (False, UserStatus.PROSPECT)]
)
def test_reactivating_restores_full_users_and_makes_others_prospects(activated, becomes):
    admin = AdministratorFactory()
    person = UserFactory(tenant=admin.tenant, activated_at=timezone.now() if activated else None)
    lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Paused")
    lifecycle.account_reactivate(user=person, reactivated_by=admin)
    person.refresh_from_db()
    assert person.status == becomes
    assert person.audit_events.filter(action="account.reactivated").exists()


def test_the_refusals_and_their_messages():
    admin = AdministratorFactory()
    person = UserFactory(tenant=admin.tenant)
    with pytest.raises(ValidationError) as caught:
        lifecycle.account_cancel(user=person, cancelled_by=admin, reason="  ")
    assert caught.value.message_dict == {"reason": [lifecycle.REASON_REQUIRED]}
    with pytest.raises(ValidationError) as caught:
        lifecycle.account_cancel(user=admin, cancelled_by=admin, reason="Testing")
    assert caught.value.messages == [lifecycle.CANNOT_CANCEL_YOURSELF]
    with pytest.raises(ValidationError) as caught:
        lifecycle.account_reactivate(user=person, reactivated_by=admin)
    assert caught.value.messages == [lifecycle.NOT_CANCELLED]
    lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Left")
    with pytest.raises(ValidationError) as caught:
        lifecycle.account_cancel(user=person, cancelled_by=admin, reason="Again")
    assert caught.value.messages == [lifecycle.ALREADY_CANCELLED]


def test_the_profile_pages_cancel_with_a_reason_and_reactivate(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    person = UserFactory(tenant=admin.tenant, first_name="Cara", activated_at=timezone.now())
    profile = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert "Cancel account" in profile
    cancel = reverse("accounts:account_cancel", args=[person.pk])
    refused = client.post(cancel, {"reason": ""})
    assert refused.status_code == 422 and lifecycle.REASON_REQUIRED in refused.content.decode()
    done = client.post(cancel, {"reason": "Left"}, follow=True).content.decode()
    assert "account is cancelled" in done and "Reactivate account" in done
    back = client.post(reverse("accounts:account_reactivate", args=[person.pk]), follow=True)
    assert "active again, as a Full user." in back.content.decode()


def test_cancel_and_reactivate_need_create_users(client):
    viewer = AdministratorFactory(roles=[])
    client.force_login(viewer)
    person = UserFactory(tenant=viewer.tenant)
    cancel = reverse("accounts:account_cancel", args=[person.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 403
    person.refresh_from_db()
    assert person.status != UserStatus.CANCELLED


def test_archived_accounts_hide_cannot_sign_in_or_be_invited_and_keep_their_email(client):
    from accounts.invitations import services as invitations
    from accounts.services import EMAIL_TAKEN_ARCHIVED, person_details_clean

    admin = AdministratorFactory()
    client.force_login(admin)
    old = UserFactory(
        tenant=admin.tenant,
        first_name="Olga",
        username="olga",
        email="olga@example.com",
        password=PASSWORD,
    )
    client.post(reverse("accounts:account_archive", args=[old.pk]))
    old.refresh_from_db()
    assert old.is_archived
    listed = client.get("/users/", {"q": "Olga"}).context["page"].rows
    assert old not in listed
    archived = client.get("/users/", {"q": "Olga", "archived": "on"}).context["page"].rows
    assert list(archived) == [old]
    assert not Client().login(username="olga", password=PASSWORD)
    with pytest.raises(ValidationError):
        invitations.invitation_send(user=old, sent_by=admin)
    _, errors = person_details_clean(
        tenant=admin.tenant,
        data={
            "title": "Ms",
            "first_name": "O",
            "surname": "G",
            "email": "OLGA@example.com",
            "mobile": "07400 123456",
        },
    )
    assert [e.message for e in errors["email"]] == [EMAIL_TAKEN_ARCHIVED]

    with pytest.raises(ValidationError) as caught:
        lifecycle.account_archive(user=old, archived_by=admin)
    assert caught.value.messages == [lifecycle.ALREADY_ARCHIVED]
    client.post(reverse("accounts:account_unarchive", args=[old.pk]))
    old.refresh_from_db()
    assert not old.is_archived
    assert Client().login(username="olga", password=PASSWORD)
    assert old.audit_events.filter(action="account.unarchived").exists()


def test_bulk_actions_confirm_the_count_then_report_done_and_skipped(
    client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.factories import TenantFactory

    admin = AdministratorFactory()
    client.force_login(admin)
    prospects = [
        UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, surname=f"P{n}")
        for n in range(2)
    ]
    full = UserFactory(tenant=admin.tenant, status=UserStatus.FULL, surname="Full")
    stranger = UserFactory(tenant=TenantFactory(), status=UserStatus.PROSPECT)
    chosen = [p.pk for p in prospects] + [full.pk, stranger.pk]
    bulk = reverse("accounts:user_bulk")

    asked = client.post(bulk, {"users": chosen, "action": "invite"}).content.decode()
    assert "Send invitation for 3 people?" in asked and stranger.email not in asked
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(bulk, {"users": chosen, "action": "invite", "confirmed": "yes"})
    assert done.status_code == 302  # to the page that follows the worker's sending
    html = client.get(done.url).content.decode()
    assert "Send invitation: 2 sent, 1 skipped" in html
    assert "Only a Prospect or an Invited user can be sent an invitation." in html
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in prospects)

    refused = client.post(bulk, {"users": chosen, "action": "cancel", "confirmed": "yes"})
    assert refused.status_code == 422 and lifecycle.REASON_REQUIRED in refused.content.decode()
    cancelled = client.post(
        bulk, {"users": [full.pk], "action": "cancel", "confirmed": "yes", "reason": "Left"}
    )
    assert "Cancel account: 1 done" in cancelled.content.decode()
    full.refresh_from_db()
    assert full.status == UserStatus.CANCELLED
    stranger.refresh_from_db()
    assert stranger.status == UserStatus.PROSPECT and stranger.invitations.count() == 0


def test_past_the_access_end_date_an_account_is_expired_until_the_date_moves(client):
    from datetime import timedelta

    import time_machine

    from tests.accounts.test_sign_in import visible_answer

    admin = AdministratorFactory()
    person = UserFactory(
        tenant=admin.tenant, username="term", password=PASSWORD, status=UserStatus.FULL
    )
    today = timezone.localdate()
    admin.tenant.access_ends_on = today + timedelta(days=1)  # the subscription's end
    admin.tenant.save()
    session = Client()
    session.force_login(person)
    profile = reverse("accounts:user_detail", args=[person.pk])

    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert session.get("/").status_code == 302  # the session ended
        sign_in = reverse("accounts:sign_in")
        answer = Client().post(sign_in, {"username": "term", "password": PASSWORD})
        wrong = Client().post(sign_in, {"username": "term", "password": "no"})
        assert visible_answer(answer) == visible_answer(wrong)  # the wrong-password answer
        # The administrator's own date would be the tenant's too: give them one of their own.
        admin.access_ends_on = today + timedelta(days=30)
        admin.save()
        client.force_login(admin)
        html = client.get(profile).content.decode()
        assert ">Expired</span>" in html and "Access ended" in html

        person.access_ends_on = today + timedelta(days=30)  # extended: access is back
        person.save()
        assert Client().login(username="term", password=PASSWORD)


def test_the_access_end_date_page_ends_and_restores_access(client):
    from accounts.models import AuditEvent

    admin = AdministratorFactory()
    person = UserFactory(
        tenant=admin.tenant, username="term", password=PASSWORD, status=UserStatus.FULL
    )
    session = Client()
    session.force_login(person)
    client.force_login(admin)
    url = reverse("accounts:account_access", args=[person.pk])
    assert "Last day of access" in client.get(url).content.decode()
    yesterday = timezone.localdate() - timedelta(days=1)
    later = timezone.localdate() + timedelta(days=200)

    response = client.post(url, {"ends_on": yesterday.isoformat()}, follow=True)
    assert f"access ended on {yesterday:%-d %B %Y}: they show as Expired and cannot sign in" in (
        response.content.decode()
    )
    assert session.get("/").status_code == 302  # signed out on their next click
    assert not Client().login(username="term", password=PASSWORD)

    response = client.post(url, {"ends_on": later.isoformat()}, follow=True)
    assert f"access ends after {later:%-d %B %Y}." in response.content.decode()
    assert Client().login(username="term", password=PASSWORD)

    # Empty: the tenant's subscription end applies again (none here).
    response = client.post(url, {"ends_on": ""}, follow=True)
    assert "has no access end date" in response.content.decode()
    person.refresh_from_db()
    assert person.access_ends_on is None
    summaries = list(
        AuditEvent.objects.filter(subject=person, action="account.access_end")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        f"Access end date set to {yesterday:%-d %B %Y}",
        f"Access end date set to {later:%-d %B %Y}",
        "Own access end date removed",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2027", "Enter a real date, like 31 7 2027."),
        ("1899-01-01", "Enter a date in the year 2000 or later."),
    ],
)
def test_a_bad_access_end_date_is_refused_at_the_field(client, value, message):
    admin = AdministratorFactory()
    person = UserFactory(tenant=admin.tenant)
    client.force_login(admin)
    response = client.post(reverse("accounts:account_access", args=[person.pk]), {"ends_on": value})
    assert response.status_code == 422
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.access_ends_on is None


def test_nobody_sets_their_own_access_end_date(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    response = client.post(
        reverse("accounts:account_access", args=[admin.pk]), {"ends_on": "2020-01-01"}
    )
    assert response.status_code == 422
    assert "You cannot change your own access end date." in response.content.decode()
    admin.refresh_from_db()
    assert admin.access_ends_on is None


def test_every_bulk_action_the_users_list_offers_is_one_the_bulk_page_carries_out(client):
    import re

    admin = AdministratorFactory()
    person = UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, surname="Pick")
    client.force_login(admin)
    listing = client.get(reverse("accounts:user_list")).content.decode()
    menu = re.search(r'<select[^>]*id="bulk-action".*?</select>', listing, re.S)
    assert menu is not None
    offered = re.findall(r'<option value="([^"]+)">([^<]+)</option>', menu.group(0))
    assert [label for _, label in offered] == [
        "Send invitation",
        "Cancel account",
        "Archive account",
    ]
    for value, label in offered:
        asked = client.post(reverse("accounts:user_bulk"), {"users": [person.pk], "action": value})
        assert asked.status_code == 200 and f"{label} for 1 person?" in asked.content.decode()
