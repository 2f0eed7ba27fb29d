"""Creating, reading, listing and editing people through the API: the forms' rules and
messages, the same audit trail, one answer per Idempotency-Key."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.invitations.models import Invitation
from accounts.models import AuditEvent, RoleAudience, User, UserStatus, UserType
from api import idempotency
from api.models import IdempotentRequest
from api.tokens import token_create
from learners.models import EmployerRecord
from tests.api.conftest import errors_of, learner_body
from tests.factories import (
    OrganisationFactory,
    PositionFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def post(api, path, body, capture, **headers):
    with capture(execute=True):
        return api.post(path, body, format="json", headers=headers)


def test_create_an_employer_and_invite_them(
    api, admin, employer_body, django_capture_on_commit_callbacks
):
    role = RoleFactory(tenant=admin.tenant, audience=RoleAudience.EMPLOYER)
    position = PositionFactory(tenant=admin.tenant)
    body = {**employer_body, "roles": [role.pk], "position": position.pk}
    response = post(api, "/api/v1/employers/", body, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    made = response.json()["user"]
    assert response["Location"] == f"/api/v1/users/{made['id']}/"
    assert made["status"] == "invited" and made["mobile"] == "+447400123456"
    assert made["roles"] == [{"id": role.pk, "name": role.name}]
    assert made["position"] == {"id": position.pk, "name": position.title}
    assert [message.to for message in mail.outbox] == [["jo.bloggs@example.com"]]
    user = User.objects.get(pk=made["id"])
    assert AuditEvent.objects.filter(subject=user, actor=admin, action="user.created").exists()


def test_an_employer_kept_as_a_prospect_gets_no_email(
    api, employer_body, django_capture_on_commit_callbacks
):
    response = post(
        api,
        "/api/v1/employers/",
        {**employer_body, "invite": False},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 201
    assert response.json()["user"]["status"] == "prospect"
    assert response.json()["invitation"] is None
    assert mail.outbox == []


def test_an_employer_with_errors_gets_the_forms_messages_and_nothing_is_made(api, employer_body):
    body = {**employer_body, "first_name": "", "email": "not an email", "employer_groups": []}
    del body["invite"]
    response = api.post("/api/v1/employers/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = errors_of(response)
    assert errors["first_name"] == ["Enter a first name."]
    assert errors["email"] == [
        "Enter an email address in the correct format, like name@example.com."
    ]
    assert errors["invite"] == [
        "Select Yes to send the activation email now, or No to keep the person as a Prospect."
    ]
    assert not User.objects.filter(user_type=UserType.EMPLOYER).exists()


def test_a_missing_field_gets_the_forms_own_message(api):
    response = api.post("/api/v1/employers/", {}, format="json")
    errors = errors_of(response)
    assert errors["title"] == ["Select a title."]
    assert errors["surname"] == ["Enter a surname."]
    assert errors["mobile"] == ["Enter a mobile number."]
    assert errors["employer_groups"] == ["Select at least one employer group."]
    assert errors["interfaces"] == ["Select at least one interface the employer can sign in to."]


def test_another_tenants_group_is_refused_like_a_stale_one(api, employer_body):
    from tests.factories import EmployerGroupFactory

    theirs = EmployerGroupFactory()
    response = api.post(
        "/api/v1/employers/", {**employer_body, "employer_groups": [theirs.pk]}, format="json"
    )
    assert response.status_code == 400
    assert errors_of(response)["employer_groups"] == [
        "One of the selected employer groups no longer exists. Search and select again."
    ]
    assert not User.objects.filter(email="jo.bloggs@example.com").exists()


def test_a_retry_with_the_same_key_makes_one_account_and_sends_one_email(
    api, employer_body, django_capture_on_commit_callbacks
):
    first = post(
        api,
        "/api/v1/employers/",
        employer_body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "c1b7c5a2"},
    )
    again = post(
        api,
        "/api/v1/employers/",
        employer_body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "c1b7c5a2"},
    )
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert User.objects.filter(email="jo.bloggs@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert Invitation.objects.count() == 1


def test_the_same_key_for_a_different_request_is_refused(
    api, employer_body, django_capture_on_commit_callbacks
):
    post(
        api,
        "/api/v1/employers/",
        employer_body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "k-1"},
    )
    other = {**employer_body, "email": "someone.else@example.com"}
    response = post(
        api,
        "/api/v1/employers/",
        other,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "k-1"},
    )
    assert response.status_code == 422
    assert "already used for a different request" in response.json()["detail"]
    assert not User.objects.filter(email="someone.else@example.com").exists()


def test_a_refused_request_keeps_no_key_so_the_corrected_one_goes_through(
    api, employer_body, django_capture_on_commit_callbacks
):
    bad = post(
        api,
        "/api/v1/employers/",
        {**employer_body, "mobile": "12"},
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "k-2"},
    )
    assert bad.status_code == 400
    good = post(
        api,
        "/api/v1/employers/",
        employer_body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "k-2"},
    )
    assert good.status_code == 201


def test_create_a_learner_with_their_employer_records(
    api, tenant, django_capture_on_commit_callbacks
):
    first = OrganisationFactory(tenant=tenant)
    second = OrganisationFactory(tenant=tenant)
    manager = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, status=UserStatus.FULL)
    first.members.add(manager)
    body = {
        "title": "Mr",
        "first_name": "Sam",
        "surname": "Khan",
        "email": "sam.khan@example.com",
        "mobile": "07400 654321",
        "date_of_birth": "2005-03-27",
        "national_insurance_number": "ab 12 34 56 c",
        "employer_records": [
            {"organisation": first.pk, "manager": manager.pk, "interfaces": ["classic"]},
            {"organisation": second.pk, "interfaces": ["console"], "primary": True},
        ],
        "invite": False,
    }
    response = post(
        api,
        "/api/v1/learners/",
        body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "learner-1"},
    )
    assert response.status_code == 201, response.json()
    made = response.json()["user"]
    assert made["national_insurance_number"] == "AB123456C"
    records = {record["organisation"]["id"]: record for record in made["employer_records"]}
    assert records[first.pk]["manager"]["id"] == manager.pk
    assert records[second.pk]["is_primary"] and not records[first.pk]["is_primary"]
    replay = post(
        api,
        "/api/v1/learners/",
        body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "learner-1"},
    )
    assert replay.json() == response.json()
    assert EmployerRecord.objects.count() == 2


def test_a_learners_manager_from_another_employer_is_refused(api, tenant):
    organisation = OrganisationFactory(tenant=tenant)
    elsewhere = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    body = learner_body(
        {"organisation": organisation.pk, "manager": elsewhere.pk, "interfaces": ["classic"]}
    )
    response = api.post("/api/v1/learners/", body, format="json")
    assert response.status_code == 400
    assert errors_of(response)["employer_records"] == [
        "Employer 1: Choose a manager who works for the selected employer."
    ]


def test_read_a_person(api, admin):
    response = api.get(f"/api/v1/users/{admin.pk}/")
    assert response.status_code == 200
    assert response.json()["email"] == admin.email
    assert response.json()["user_type"] == "administrator"


def test_edit_an_employer_changes_only_what_is_sent(
    api, employer_body, django_capture_on_commit_callbacks
):
    made = post(api, "/api/v1/employers/", employer_body, django_capture_on_commit_callbacks).json()
    user_id = made["user"]["id"]
    response = api.patch(
        f"/api/v1/users/{user_id}/", {"town": "Leeds", "postcode": "ls1 1ur"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["town"] == "Leeds" and response.json()["postcode"] == "LS1 1UR"
    assert response.json()["employer_groups"] == made["user"]["employer_groups"]
    refused = api.patch(
        f"/api/v1/users/{user_id}/",
        {"first_name": "", "date_of_birth": "2000-01-01"},
        format="json",
    )
    assert refused.status_code == 400
    errors = errors_of(refused)
    assert errors["date_of_birth"] == ["Employers do not have this. Leave it out."]
    assert User.objects.get(pk=user_id).first_name == "Jo"
    assert AuditEvent.objects.filter(subject_id=user_id, action="user.updated").count() == 1


def test_edit_a_learner_with_the_learner_rules(api, tenant):
    learner = UserFactory(tenant=tenant, user_type=UserType.LEARNER)
    response = api.patch(
        f"/api/v1/users/{learner.pk}/", {"national_insurance_number": "nope"}, format="json"
    )
    assert errors_of(response)["national_insurance_number"] == [
        "Enter a National Insurance number in the correct format, like AB 12 34 56 C."
    ]
    response = api.patch(f"/api/v1/users/{learner.pk}/", {"surname": "Okafor"}, format="json")
    assert response.status_code == 200 and response.json()["surname"] == "Okafor"


def test_an_administrator_cannot_be_edited_through_the_api(api, admin):
    response = api.patch(f"/api/v1/users/{admin.pk}/", {"town": "Leeds"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Only employers and learners can be edited through the API."


def test_keys_older_than_a_day_are_forgotten(
    api, employer_body, django_capture_on_commit_callbacks
):
    post(
        api,
        "/api/v1/employers/",
        employer_body,
        django_capture_on_commit_callbacks,
        **{"Idempotency-Key": "old"},
    )
    assert IdempotentRequest.objects.count() == 1
    idempotency._forgotten_at = 0.0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        other = {**employer_body, "email": "later@example.com"}
        post(
            api,
            "/api/v1/employers/",
            other,
            django_capture_on_commit_callbacks,
            **{"Idempotency-Key": "new"},
        )
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


def test_the_audit_trail_says_which_token_did_it(
    api, admin, employer_body, client, django_capture_on_commit_callbacks
):
    body = {**employer_body, "invite": False}
    made = post(api, "/api/v1/employers/", body, django_capture_on_commit_callbacks)
    user_id = made.json()["user"]["id"]
    api.patch(f"/api/v1/users/{user_id}/", {"town": "Leeds"}, format="json")
    events = AuditEvent.objects.filter(subject_id=user_id).order_by("created_at", "id")
    summaries = [event.summary for event in events]
    assert all(summary.endswith("(through the API, token 'Integration')") for summary in summaries)
    assert {event.details["api_token"] for event in events} == {made.wsgi_request.auth.pk}
    assert all(event.actor_id == admin.pk for event in events)
    # The next request, through the pages, says nothing of the API.
    client.force_login(admin)
    client.post(f"/users/{user_id}/archive/")
    archived = AuditEvent.objects.get(subject_id=user_id, action="account.archived")
    assert archived.summary == "Account archived" and "api_token" not in archived.details


def test_a_bulk_create_is_recorded_as_one_not_as_a_csv_upload(api, group):
    body = {
        "rows": [
            {
                **{
                    k: v
                    for k, v in {
                        "title": "Ms",
                        "first_name": "Bo",
                        "surname": "Bulk",
                        "email": "bo@example.com",
                        "mobile": "07400 123456",
                        "employer_groups": ["North West"],
                        "interfaces": ["classic"],
                    }.items()
                }
            }
        ],
        "send_invitations": False,
    }
    assert api.post("/api/v1/employers/bulk/", body, format="json").status_code == 201
    event = AuditEvent.objects.get(subject__email="bo@example.com", action="user.created")
    assert event.summary == (
        "Employer Bo Bulk created as Prospect in a bulk create (through the API, token "
        "'Integration')"
    )


@pytest.mark.postgresql
def test_two_racing_retries_with_one_key_make_one_account(transactional_db, admin, employer_body):
    """The first request's key row is inserted in its own transaction; the second waits on the
    unique index, then answers with what the first wrote."""
    _, secret = token_create(created_by=admin, name="Race", scopes=["users:write"])
    body = {**employer_body, "invite": False}
    start = Barrier(2)

    def send(_: int):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        start.wait()
        try:
            response = client.post(
                "/api/v1/employers/", body, format="json", headers={"Idempotency-Key": "race"}
            )
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, range(2)))
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert User.objects.filter(email=body["email"]).count() == 1
