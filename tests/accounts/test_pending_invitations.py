from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import services
from accounts.models import UserStatus
from tests.factories import AdministratorFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PENDING = reverse("accounts:pending_invitations")


@pytest.fixture
def admin(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    return admin


def invite(user):
    services.invitation_send(user=user, sent_by=None)
    user.refresh_from_db()
    return user


def test_lists_invited_people_with_sent_date_and_expiry(client, admin):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=10)):
        old = invite(
            UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email="old@example.com")
        )
    with time_machine.travel(now - timedelta(days=2, hours=1)):
        recent = invite(
            UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email="recent@example.com")
        )
    UserFactory(tenant=admin.tenant, status=UserStatus.FULL, email="active@example.com")
    UserFactory(tenant=TenantFactory(), status=UserStatus.INVITED, email="other@example.com")

    response = client.get(PENDING)
    rows = {row.email: row for row in response.context["page"].rows}
    assert set(rows) == {"old@example.com", "recent@example.com"}
    assert rows["old@example.com"].expiry_text == "Expired"
    assert rows["recent@example.com"].expiry_text == "Expires in 4 days"
    html = response.content.decode()
    assert "Expired" in html and "Expires in 4 days" in html
    assert [r.pk for r in response.context["page"].rows] == [recent.pk, old.pk]  # newest first


def test_bulk_resend_sends_one_new_link_each_and_kills_the_old(client, admin):
    people = [
        invite(
            UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email=f"p{n}@example.com")
        )
        for n in range(3)
    ]
    mail.outbox.clear()
    stranger = UserFactory(tenant=TenantFactory(), status=UserStatus.INVITED)
    chosen = [people[0].pk, people[1].pk, stranger.pk]
    # First the page says how many people will get an email, and sends nothing.
    asked = client.post(PENDING, {"users": chosen}).content.decode()
    assert "Send a new invitation email to 2 people?" in asked and "Yes, send 2 emails" in asked
    assert stranger.email not in asked and mail.outbox == []
    response = client.post(PENDING, {"users": chosen, "confirmed": "yes"}, follow=True)
    assert "Resend invitation: 2 sent" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.com", "p1@example.com"]
    people[0].refresh_from_db()
    assert people[0].invitation_count == 2


def test_bulk_resend_needs_create_users(client):
    viewer = AdministratorFactory(roles=[])
    client.force_login(viewer)
    person = UserFactory(tenant=viewer.tenant, status=UserStatus.INVITED)
    assert client.get(PENDING).status_code == 200
    assert client.post(PENDING, {"users": [person.pk]}).status_code == 403
    assert mail.outbox == []


def test_pending_list_queries_do_not_grow_with_the_rows(client, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_with(rows: int) -> int:
        while admin.tenant.users.filter(status=UserStatus.INVITED).count() < rows:
            n = admin.tenant.users.count()
            invite(UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email=f"q{n}@x.io"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PENDING, {"per_page": 100})
        assert len(response.context["page"].rows) == min(rows, 50)
        return len(captured)

    one_page = queries_with(10)  # it knows its total without counting
    # Beyond one page the total costs a bounded count (and, on PostgreSQL, an EXPLAIN first).
    assert one_page < queries_with(60) == queries_with(100) <= 7


def test_pending_invitations_search_sort_and_select_everyone(client, admin):
    now = timezone.now()
    invited = [(9, "ann.old@example.com"), (3, "bob.mid@example.com"), (1, "ann.new@example.com")]
    for days, email in invited:
        with time_machine.travel(now - timedelta(days=days)):
            invite(UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email=email))

    def emails(response):
        return [row.email for row in response.context["page"].rows]

    assert emails(client.get(PENDING)) == [
        "ann.new@example.com", "bob.mid@example.com", "ann.old@example.com"
    ]
    assert emails(client.get(PENDING, {"sort": "expiry"}))[0] == "ann.old@example.com"
    found = client.get(PENDING, {"q": "ann", "sort": "expiry"})
    assert emails(found) == ["ann.old@example.com", "ann.new@example.com"]
    html = client.get(PENDING, {"select": "all"}).content.decode()
    assert html.count('name="users"') == html.count(" checked>") == 3
    assert html.count("Resend selected") == 2  # above the list as well as below
    assert "Nobody waiting matches" in client.get(PENDING, {"q": "zzz"}).content.decode()
