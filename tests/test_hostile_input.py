"""Hostile input in every search box answers with a page, never a server error (on PostgreSQL a
NUL byte in a query used to be a 500), and cannot make a search arbitrarily expensive."""

import pytest
from django.urls import reverse

from tests.factories import AdministratorFactory, OrganisationFactory
from ui.parsing import MAX_SEARCH_WORDS, search_words

pytestmark = pytest.mark.django_db
HOSTILE = ["\x00", "a\x00b", "%_\\", "²", "'; DROP TABLE accounts_user; --", "word " * 500]


def test_search_words_drop_control_characters_and_cap_the_words():
    assert search_words("a\x00b  c\td") == ["a", "b", "c", "d"]
    assert len(search_words("w " * 100)) == MAX_SEARCH_WORDS
    assert search_words(None) == []


@pytest.mark.parametrize("term", HOSTILE)
def test_every_search_box_answers_hostile_terms(client, term):
    admin = AdministratorFactory(roles=["create_users", "manage_organisations"])
    client.force_login(admin)
    organisation = OrganisationFactory(tenant=admin.tenant)
    requests = [
        ("get", reverse("accounts:user_list"), {"q": term}),
        ("get", reverse("employers:organisation_list"), {"q": term}),
        ("get", reverse("employers:position_options"), {"q": term}),
        ("get", reverse("employers:organisation_options"), {"q": term}),
        ("get", reverse("employers:group_options"), {"q": term}),
        ("get", reverse("employers:staff_options", args=[organisation.pk]), {"q": term}),
        ("post", reverse("employers:add_groups"), {"group_search": term}),
        ("post", reverse("employers:add_role_search"), {"role_search": term}),
        ("post", reverse("employers:add_positions"), {"position_search": term}),
        ("post", reverse("learners:add_groups"), {"group_search": term}),
        (
            "post",
            reverse("learners:employer_record"),
            {
                "organisation": organisation.pk,
                "organisation_search": term,
                "staff_search": term,
                "action": "choose_employer",
            },
        ),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 200, (url, response.status_code)


def test_employer_records_nested_thousands_deep_answer_with_the_form(client):
    client.force_login(AdministratorFactory(roles=["create_users"]))
    deep = "[" * 5000 + "]" * 5000
    deep_object = '{"key": ' * 5000 + "1" + "}" * 5000
    for url, data in [
        (reverse("learners:add"), {"employer_records": [deep, deep_object]}),
        (reverse("learners:add_record_remove"), {"employer_records": [deep], "remove": "x"}),
    ]:
        response = client.post(url, data)
        assert response.status_code in (200, 422), url
