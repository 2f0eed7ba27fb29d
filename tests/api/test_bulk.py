"""Bulk create through the API: the CSV importer's checks and writes, all rows or none."""

import pytest
from django.core import mail

from accounts.models import User, UserType
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def row(number, group="North West", **changes):
    return {
        "title": "Ms",
        "first_name": f"Person{number}",
        "surname": "Bulk",
        "email": f"bulk{number}@example.com",
        "mobile": "07400 123456",
        "employer_groups": [group],
        "interfaces": ["classic", "console"],
        **changes,
    }


def test_bulk_create_writes_every_row_and_invites_them_once(
    api, group, django_capture_on_commit_callbacks
):
    body = {"rows": [row(number) for number in range(1, 6)] + [row(6, invite=False)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/employers/bulk/", body, format="json", headers={"Idempotency-Key": "b1"}
        )
        replay = api.post(
            "/api/v1/employers/bulk/", body, format="json", headers={"Idempotency-Key": "b1"}
        )
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 6, "updated": 0, "skipped": 0, "invited": 5}
    assert replay.json() == response.json()
    assert User.objects.filter(user_type=UserType.EMPLOYER, surname="Bulk").count() == 6
    assert len(mail.outbox) == 5
    person = User.objects.get(email="bulk1@example.com")
    assert list(person.employer_groups.all()) == [group]


def test_one_bad_row_writes_nothing_and_is_named_by_row_and_field(api, group):
    rows = [row(number) for number in range(1, 11)]
    rows[6] = row(7, mobile="12345", employer_groups=["Nowhere"])
    rows[8] = row(9, email="bulk1@example.com")
    response = api.post("/api/v1/employers/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    by_field = {error["field"]: error for error in errors}
    assert by_field["rows.6.employer_groups"]["row"] == 7
    assert by_field["rows.6.employer_groups"]["message"] == (
        "No employer group called 'Nowhere' in this tenant."
    )
    assert "rows.6.mobile" in by_field
    assert by_field["rows.8.email"]["message"] == "This email address is also in row 1 of the file."
    assert not User.objects.filter(surname="Bulk").exists()
    fixed = [row(number) for number in range(1, 11)]
    assert api.post("/api/v1/employers/bulk/", {"rows": fixed}, format="json").status_code == 201
    assert User.objects.filter(surname="Bulk").count() == 10


def test_existing_accounts_are_skipped_or_updated(api, tenant, group):
    UserFactory(
        tenant=tenant, user_type=UserType.EMPLOYER, email="bulk1@example.com", surname="Old"
    )
    body = {"rows": [row(1), row(2)], "send_invitations": False}
    skipped = api.post("/api/v1/employers/bulk/", body, format="json").json()
    assert skipped == {"created": 1, "updated": 0, "skipped": 1, "invited": 0}
    updated = api.post(
        "/api/v1/employers/bulk/", {**body, "rows": [row(1)], "existing": "update"}, format="json"
    )
    assert updated.json()["updated"] == 1
    assert User.objects.get(email="bulk1@example.com").surname == "Bulk"


def test_more_than_a_thousand_rows_are_refused(api):
    response = api.post("/api/v1/employers/bulk/", {"rows": [row(1)] * 1001}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rows"


def test_a_row_with_the_wrong_types_is_named_and_nothing_is_written(api, group):
    rows = [row(1), {**row(2), "email": 5, "roles": "Supervisor", "invite": "maybe", "age": 3}]
    response = api.post("/api/v1/employers/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors == {
        "rows.1.email": "Write this as text.",
        "rows.1.roles": 'Write this as a list of names, like ["North West"].',
        "rows.1.invite": "Write true, false or null.",
        "rows.1.age": "There is no such field. The fields are those of a CSV upload's columns.",
    }
    assert not User.objects.filter(surname="Bulk").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "bo\x00@example.com"),
        ("employer_groups", ["North\x00West"]),
        ("roles", ["Super\x00visor"]),
        ("position", "Fore\x00man"),
    ],
)
def test_a_null_character_in_a_row_is_named_not_sent_to_the_database(api, group, field, value):
    """PostgreSQL refuses NUL in text: it answered 500 when a row's email or names held one."""
    response = api.post(
        "/api/v1/employers/bulk/", {"rows": [row(1, **{field: value})]}, format="json"
    )
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors == {f"rows.0.{field}": "Null characters are not allowed."}
    assert not User.objects.filter(surname="Bulk").exists()
