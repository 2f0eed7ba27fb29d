"""learners' forms."""

import json

import pytest

from learners.forms import LearnerForm, parse_records
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


EMPTY = {
    "key": "",
    "organisation": None,
    "manager": None,
    "mentor": None,
    "interfaces": [],
    "main_aim_reference": "",
}


def test_carried_records_that_are_not_json_objects_become_empty_records():
    values = [json.dumps({"key": "a"}), "not json", json.dumps([1, 2]), None, "[" * 5000]
    assert parse_records(values) == [{**EMPTY, "key": "a"}, EMPTY, EMPTY, EMPTY, EMPTY]


def test_carried_records_keep_only_values_of_the_right_kind():
    hostile = {
        "key": {"nested": 1},
        "organisation": "²",
        "manager": 10**30,
        "mentor": True,
        "interfaces": 7,
        "main_aim_reference": ["ZPROG"],
        "extra": "ignored",
    }
    assert parse_records([json.dumps(hostile)]) == [EMPTY]
    assert parse_records([json.dumps({"interfaces": ["classic", 3, None]})]) == [
        {**EMPTY, "interfaces": ["classic"]}
    ]


def test_the_learner_form_hands_its_records_to_the_service_as_data():
    record = {"key": "a", "organisation": 3, "interfaces": ["classic"]}
    form = LearnerForm(
        data={"employer_records": [json.dumps(record)], "invite": "no"}, tenant=TenantFactory()
    )
    assert form.is_valid()
    data = form.service_input()
    assert data["employer_records"] == [{**EMPTY, **record}] and data["invite"] is False
