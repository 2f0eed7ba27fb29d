import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import UserStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
FRESH = reverse("accounts:fresh_link")


def ask(client, email):
    return client.post(FRESH, {"email": email}, follow=True)


def visible(response) -> str:
    import re

    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def test_the_answer_is_the_same_whether_or_not_an_account_waits(client):
    UserFactory(email="waiting@example.com", status=UserStatus.INVITED)
    UserFactory(email="prospect@example.com", status=UserStatus.PROSPECT)
    answers = [
        visible(ask(client, e))
        for e in ["waiting@example.com", "nobody@example.com", "prospect@example.com"]
    ]
    assert answers[0] == answers[1] == answers[2]
    assert "a fresh link is on its way" in answers[0]
    assert [m.to for m in mail.outbox] == [["waiting@example.com"]]


def test_the_fresh_link_goes_only_to_the_stored_address(client):
    UserFactory(email="Stored@Example.com", status=UserStatus.INVITED)
    ask(client, "stored@example.COM")
    # Stored with its domain lowercased (one spelling per mailbox), the local part as given.
    assert [m.to for m in mail.outbox] == [["Stored@example.com"]]


def test_requests_are_rate_limited_per_address(client):
    UserFactory(email="waiting@example.com", status=UserStatus.INVITED)
    for _ in range(3):
        ask(client, "waiting@example.com")
    limited = ask(client, "waiting@example.com")
    assert "Too many requests" in limited.content.decode()
    assert len(mail.outbox) == 3


def test_requests_are_rate_limited_per_client(client):
    for n in range(10):
        ask(client, f"someone{n}@example.com")
    assert "Too many requests" in ask(client, "another@example.com").content.decode()


def test_with_a_queue_the_page_sends_nothing_itself_and_the_worker_sends_once(client, settings):
    """In production the email leaves from the worker, so the page's timing tells nothing."""
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    UserFactory(email="queued@example.com", status=UserStatus.INVITED)
    response = ask(client, "queued@example.com")
    assert "a fresh link is on its way" in response.content.decode()
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mail.outbox] == [["queued@example.com"]]


def test_an_empty_request_names_the_field_and_a_sent_one_confirms_instead_of_asking_again(client):
    empty = client.post(FRESH, {"email": ""}).content.decode()
    assert "Enter your email address." in empty
    done = ask(client, "anyone@example.com")
    html = done.content.decode()
    assert "a fresh link is on its way" in html and "Send a link to another address" in html
    assert 'name="email"' not in html
