"""One answer with or without Idempotency-Key, as a client sees it with real commits (the
suite's wrapping transaction would hide the difference), and an invitation's status read
afterwards."""

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def body(employer_body):
    return employer_body


def created(api, body, **headers):
    answer = api.post("/api/v1/employers/", body, format="json", headers=headers)
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_an_invitation_says_sent_with_a_key_without_one_and_on_replay(api, body):
    plain = created(api, {**body, "email": "plain@example.com"})
    keyed = created(api, {**body, "email": "keyed@example.com"}, **{"Idempotency-Key": "a-1"})
    replay = created(api, {**body, "email": "keyed@example.com"}, **{"Idempotency-Key": "a-1"})
    assert plain["invitation"]["status"] == keyed["invitation"]["status"] == "sent"
    assert replay == keyed
    assert sorted(m.to[0] for m in mail.outbox) == ["keyed@example.com", "plain@example.com"]


def test_a_send_says_sent_with_a_key_and_on_replay(api, body):
    person = created(api, {**body, "invite": False})["user"]
    path = f"/api/v1/users/{person['id']}/invitation/"
    first = api.post(path, headers={"Idempotency-Key": "send-1"})
    again = api.post(path, headers={"Idempotency-Key": "send-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["status"] == again.json()["status"] == "sent"
    assert again["Idempotent-Replayed"] == "true"
    assert len(mail.outbox) == 1


def test_an_invitations_status_is_read_afterwards_and_says_what_ended_it(api, body):
    person = created(api, body)["user"]
    path = f"/api/v1/users/{person['id']}/invitation/"
    assert api.get(path).json()["status"] == "sent"
    api.patch(f"/api/v1/users/{person['id']}/", {"email": "new@example.com"}, format="json")
    assert api.get(path).json()["status"] == "revoked"  # the link was for the old address
    api.post(path)
    assert api.get(path).json()["status"] == "sent"
    User.objects.filter(pk=person["id"]).update(status="full", activated_at="2026-01-01T00:00Z")
    assert api.get(path).json()["status"] == "used"


def test_no_invitation_yet_is_a_404_problem(api, body):
    person = created(api, {**body, "invite": False})["user"]
    answer = api.get(f"/api/v1/users/{person['id']}/invitation/")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "No invitation has been sent to this person."


def test_a_client_of_another_tenant_cannot_read_it(api, body, token_for):
    from tests.factories import AdministratorFactory

    person = created(api, body)["user"]
    _, stranger = token_for(AdministratorFactory(), scopes=["users:read"])
    assert stranger.get(f"/api/v1/users/{person['id']}/invitation/").status_code == 404
