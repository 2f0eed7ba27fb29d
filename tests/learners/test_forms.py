"""learners' forms."""

import json

import pytest

from learners.forms import LearnerForm, parse_records
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def test_carried_records_that_are_not_json_objects_become_empty_records():
    values = [json.dumps({"key": "a"}), "not json", json.dumps([1, 2]), None]
    assert parse_records(values) == [{"key": "a"}, {}, {}, {}]


def test_the_learner_form_hands_its_records_to_the_service_as_data():
    record = {"key": "a", "organisation": 3, "interfaces": ["classic"]}
    form = LearnerForm(
        data={"employer_records": [json.dumps(record)], "invite": "no"}, tenant=TenantFactory()
    )
    assert form.is_valid()
    data = form.service_input()
    assert data["employer_records"] == [record] and data["invite"] is False
