"""learners' reads: records carried by the form, a learner's records, supported learners."""

import pytest

from accounts.models import UserType
from learners import selectors
from learners.models import EmployerRecord
from tests.factories import OrganisationFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_carried_records_are_resolved_in_two_queries_and_only_within_the_tenant(
    django_assert_num_queries,
):
    organisation = OrganisationFactory(name="Acme Ltd")
    manager = UserFactory(tenant=organisation.tenant, user_type=UserType.EMPLOYER)
    foreign = OrganisationFactory(tenant=TenantFactory())
    records = [
        {
            "key": "a",
            "organisation": organisation.pk,
            "manager": manager.pk,
            "interfaces": ["console", "classic"],
        },
        {"key": "b", "organisation": foreign.pk, "interfaces": ["classic"]},
        {"key": "c", "organisation": "²", "interfaces": []},
    ]
    with django_assert_num_queries(2):
        shown = selectors.records_for_display(tenant=organisation.tenant, records=records)
    assert [row["organisation"] for row in shown] == [organisation, None, None]
    assert shown[0]["manager"] == manager and shown[0]["interfaces"] == ["Classic", "Console"]
    assert [row["is_primary"] for row in shown] == [True, False, False]


def test_supported_learners_exclude_archived_learners():
    organisation = OrganisationFactory()
    tenant = organisation.tenant
    manager = UserFactory(tenant=tenant, user_type=UserType.EMPLOYER)
    active = UserFactory(tenant=tenant, surname="Active")
    archived = UserFactory(tenant=tenant, is_archived=True)
    for learner in (active, archived):
        EmployerRecord.objects.create(
            tenant=tenant,
            learner=learner,
            organisation=organisation,
            manager=manager,
            is_primary=True,
        )
    assert [record.learner for record in selectors.learners_supported_by(person=manager)] == [
        active
    ]
    assert [r.organisation for r in selectors.employer_records_of(learner=active)] == [organisation]
