"""Invitations, the account's life, organisations and the lists, through the API."""

import pytest
from django.core import mail
from django.utils import timezone

from accounts.invitations.models import Invitation
from accounts.models import AuditEvent, RoleAudience, UserStatus, UserType
from employers.models import Organisation
from tests.api.conftest import errors_of, learner_body
from tests.factories import (
    EmployerGroupFactory,
    OrganisationFactory,
    PositionFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def prospect(tenant):
    return UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, status=UserStatus.PROSPECT)


def test_send_an_invitation_once_whatever_the_retries(
    api, prospect, django_capture_on_commit_callbacks
):
    url = f"/api/v1/users/{prospect.pk}/invitation/"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(url, headers={"Idempotency-Key": "send-1"})
        assert response.status_code == 201
    assert response["Idempotent-Replayed"] == "true"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [prospect.email]
    assert Invitation.objects.filter(user=prospect).count() == 1
    prospect.refresh_from_db()
    assert prospect.status == UserStatus.INVITED


def test_a_full_user_cannot_be_sent_an_invitation(api, tenant):
    full = UserFactory(tenant=tenant, status=UserStatus.FULL)
    response = api.post(f"/api/v1/users/{full.pk}/invitation/")
    assert response.status_code == 409
    assert (
        response.json()["detail"] == "Only a Prospect or an Invited user can be sent an invitation."
    )
    assert mail.outbox == []


def test_cancel_reactivate_archive_and_unarchive(api, admin, tenant):
    person = UserFactory(
        tenant=tenant,
        status=UserStatus.FULL,
        user_type=UserType.EMPLOYER,
        activated_at=timezone.now(),
    )
    base = f"/api/v1/users/{person.pk}"
    missing = api.post(f"{base}/cancel/", {}, format="json")
    assert missing.status_code == 400
    assert errors_of(missing)["reason"] == ["Enter why the account is being cancelled."]
    cancelled = api.post(f"{base}/cancel/", {"reason": "Left the company"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = api.post(f"{base}/cancel/", {"reason": "Again"}, format="json")
    assert (
        again.status_code == 409 and again.json()["detail"] == "This account is already cancelled."
    )
    assert api.post(f"{base}/reactivate/").json()["status"] == "full"
    assert api.post(f"{base}/archive/").json()["is_archived"] is True
    assert api.post(f"{base}/archive/").status_code == 409
    assert api.post(f"{base}/unarchive/").json()["is_archived"] is False
    actions = set(AuditEvent.objects.filter(subject=person).values_list("action", flat=True))
    assert {"account.cancelled", "account.reactivated", "account.archived"} <= actions
    yourself = api.post(f"/api/v1/users/{admin.pk}/cancel/", {"reason": "x"}, format="json")
    assert yourself.json()["detail"] == "You cannot cancel your own account."


def test_list_search_and_filter_users_a_page_at_a_time(api, tenant):
    for number in range(5):
        UserFactory(tenant=tenant, user_type=UserType.EMPLOYER, surname=f"Walker{number}")
    UserFactory(tenant=tenant, user_type=UserType.LEARNER, surname="Zed")
    UserFactory(surname="Walker-elsewhere")  # another tenant's
    first = api.get("/api/v1/users/", {"q": "walker", "type": "employer", "limit": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    seen = [row["surname"] for row in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["surname"] for row in page["results"]]
    assert sorted(seen) == [f"Walker{number}" for number in range(5)]
    back = api.get(page["previous"]).json()
    assert len(back["results"]) == 2
    by_name = api.get("/api/v1/users/", {"sort": "name", "type": ["employer", "learner"]}).json()
    names = [row["surname"] for row in by_name["results"]]
    assert names == sorted(names) and "Zed" in names


def test_bad_list_parameters_are_named(api):
    response = api.get("/api/v1/users/", {"limit": "500", "status": "nonsense"})
    assert response.status_code == 400
    response = api.get("/api/v1/users/", {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in errors_of(response)
    response = api.get("/api/v1/users/", {"limit": "0"})
    assert errors_of(response)["limit"] == ["limit must be a whole number from 1 to 100."]


def test_listing_costs_the_same_queries_for_10_or_100_rows(
    api, tenant, django_assert_max_num_queries
):
    UserFactory.create_batch(100, tenant=tenant)
    api.get("/api/v1/users/", {"limit": 10})  # the token's last-used time is written once
    with django_assert_max_num_queries(2) as small:
        api.get("/api/v1/users/", {"limit": 10})
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/v1/users/", {"limit": 100}).json()["results"]) == 100


def test_organisations_listed_and_created_with_the_pages_rules(
    api, tenant, django_capture_on_commit_callbacks
):
    OrganisationFactory(tenant=tenant, name="Acme Ltd")
    OrganisationFactory(name="Acme Elsewhere")
    listed = api.get("/api/v1/organisations/", {"q": "acme"}).json()["results"]
    assert [row["name"] for row in listed] == ["Acme Ltd"]
    taken = api.post("/api/v1/organisations/", {"name": "acme ltd"}, format="json")
    assert errors_of(taken)["name"] == ["An employer called 'acme ltd' already exists."]
    missing = api.post("/api/v1/organisations/", {"postcode": "nope"}, format="json")
    assert errors_of(missing)["name"] == ["Enter the employer's name."]
    body = {"name": "Brightside Care", "town": "Leeds", "postcode": "ls1 1ur"}
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            "/api/v1/organisations/", body, format="json", headers={"Idempotency-Key": "o1"}
        )
        again = api.post(
            "/api/v1/organisations/", body, format="json", headers={"Idempotency-Key": "o1"}
        )
    assert made.status_code == 201 and made.json()["postcode"] == "LS1 1UR"
    assert again.json() == made.json()
    assert Organisation.objects.filter(tenant=tenant, name="Brightside Care").count() == 1


def test_groups_roles_and_positions_are_listed_for_this_tenant_only(api, tenant):
    EmployerGroupFactory(tenant=tenant, name="North West")
    EmployerGroupFactory(name="Theirs")
    RoleFactory(tenant=tenant, name="Supervisor", audience=RoleAudience.EMPLOYER)
    RoleFactory(tenant=tenant, name="Admin only", audience=RoleAudience.ADMINISTRATOR)
    PositionFactory(tenant=tenant, title="Site Foreman")
    groups = api.get("/api/v1/employer-groups/").json()["results"]
    assert [group["name"] for group in groups] == ["North West"]
    assert [role["name"] for role in api.get("/api/v1/roles/").json()["results"]] == ["Supervisor"]
    positions = api.get("/api/v1/positions/").json()["results"]
    assert [position["title"] for position in positions] == ["Site Foreman"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/",
        "/api/v1/organisations/",
        "/api/v1/employer-groups/",
        "/api/v1/roles/",
        "/api/v1/positions/",
    ],
)
def test_every_list_names_a_bad_page_size(api, path):
    response = api.get(path, {"limit": "many"})
    assert response.status_code == 400
    assert errors_of(response) == {"limit": ["limit must be a whole number from 1 to 100."]}


def test_the_users_list_filters_by_employer_group_and_below(api, tenant):
    region = EmployerGroupFactory(tenant=tenant, name="North")
    branch = EmployerGroupFactory(tenant=tenant, name="Leeds", parent=region)
    inside = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    inside.employer_groups.add(branch)
    UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    found = api.get("/api/v1/users/", {"group": region.pk}).json()["results"]
    assert [row["id"] for row in found] == [inside.pk]
    theirs = EmployerGroupFactory(name="Theirs")
    refused = api.get("/api/v1/users/", {"group": theirs.pk})
    assert refused.status_code == 400 and "group" in errors_of(refused)


def test_another_tenants_organisation_or_group_is_unknown_here(api, tenant):
    theirs = OrganisationFactory()
    learner = learner_body({"organisation": theirs.pk, "interfaces": ["classic"]})
    response = api.post("/api/v1/learners/", learner, format="json")
    assert errors_of(response)["employer_records"] == [
        "Employer 1: The selected employer no longer exists. Choose another."
    ]
    organisation = {"name": "Mine Ltd", "parent_group": theirs.group.pk}
    response = api.post("/api/v1/organisations/", organisation, format="json")
    assert errors_of(response)["parent_group"] == [
        "Choose the employer group this employer belongs under."
    ]
    assert not Organisation.objects.filter(name="Mine Ltd").exists()


def test_a_listed_time_reads_as_the_persons_own_page_gives_it(api, tenant):
    from datetime import UTC, datetime

    summer = UserFactory(tenant=tenant, created_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    winter = UserFactory(tenant=tenant, created_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    precise = UserFactory(tenant=tenant, created_at=datetime(2026, 3, 2, 8, 0, 0, 250, tzinfo=UTC))
    listed = {row["id"]: row for row in api.get("/api/v1/users/").json()["results"]}
    for person in (summer, winter, precise):
        own = api.get(f"/api/v1/users/{person.pk}/").json()
        assert listed[person.pk]["created_at"] == own["created_at"]
    assert listed[summer.pk]["created_at"] == "2026-07-01T10:30:00+01:00"
    assert listed[winter.pk]["created_at"] == "2026-01-05T09:30:00Z"
    assert listed[precise.pk]["created_at"] == "2026-03-02T08:00:00.000250Z"
