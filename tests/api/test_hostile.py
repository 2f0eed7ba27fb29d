"""Hostile or broken requests get a clear problem, never a server error or an HTML page."""

import pytest

from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db


def send(api, path, body, content_type="application/json"):
    return api.generic("POST", path, body, content_type=content_type)


def problem_of(response) -> dict:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_json_nested_past_pythons_limit_is_a_parse_error(api):
    response = send(api, "/api/v1/employers/", "[" * 200_000 + "]" * 200_000)
    assert response.status_code == 400
    assert problem_of(response)["detail"] == "JSON parse error - the document nests too deeply."


def test_a_body_too_large_answers_413(api):
    body = '{"rows": [' + ",".join(['{"email": "%s"}' % ("x" * 1000)] * 5000) + "]}"
    response = send(api, "/api/v1/employers/bulk/", body)
    assert response.status_code == 413
    assert problem_of(response)["title"] == "Request too large"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{bad", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        ("a=b", "application/x-www-form-urlencoded", 415),
        ("[1, 2]", "application/json", 400),
        ('{"title": "Ms", "employer_groups": [1e999], "invite": true}', "application/json", 400),
    ],
)
def test_broken_bodies_are_refused_plainly(api, body, content_type, status):
    response = send(api, "/api/v1/employers/", body, content_type)
    assert response.status_code == status
    assert problem_of(response)["status"] == status


def test_an_unknown_address_under_the_api_is_a_json_404(api):
    response = api.get("/api/v1/users/-5/")
    assert response.status_code == 404
    assert problem_of(response)["title"] == "Not found"


def test_an_answer_it_cannot_give_is_406(api):
    response = api.get("/api/v1/users/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 406


@pytest.mark.parametrize("query", ["q=%00abc", "q=" + "a" * 5000, "status=x", "sort=nope"])
def test_bad_search_values_are_named(api, query):
    response = api.get(f"/api/v1/users/?{query}")
    assert response.status_code == 400
    assert problem_of(response)["errors"]


def test_a_fault_in_the_code_answers_a_json_500(api, monkeypatch):
    from api import organisations

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(organisations, "organisation_list", broken)
    api.raise_request_exception = False
    response = api.get("/api/v1/organisations/")
    assert response.status_code == 500
    assert problem_of(response) == {
        "type": "about:blank",
        "title": "Server error",
        "status": 500,
        "detail": "Something went wrong on our side.",
    }


@pytest.mark.parametrize("path", ["/api/v1/employer-groups/", "/api/v1/organisations/"])
@pytest.mark.parametrize("query", ["q=%00north", "q=" + "n" * 201])
def test_every_searched_list_names_a_bad_search(api, path, query):
    """Schemathesis found a NUL in the groups' search reaching PostgreSQL (a 500)."""
    response = api.get(f"{path}?{query}")
    assert response.status_code == 400
    assert [error["field"] for error in problem_of(response)["errors"]] == ["q"]


def cursor_of(*values) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


LISTS = [
    "/api/v1/users/",
    "/api/v1/organisations/",
    "/api/v1/employer-groups/",
    "/api/v1/positions/",
    "/api/v1/roles/",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("parameter", ["after", "before"])
def test_a_cursor_holding_nul_or_not_ours_is_a_400_problem(api, path, parameter):
    """A NUL inside a cursor's text reached PostgreSQL raw (a 500 there); any cursor the API
    did not give is refused by name, as a bad page size is."""
    first = api.get(path, {"limit": 1})
    assert first.status_code == 200
    for cursor in (cursor_of("a\u0000b", 1), cursor_of("\u0000", "\u0000", 1), "not-a-cursor"):
        answer = api.get(path, {parameter: cursor})
        assert answer.status_code == 400, (cursor, answer.content)
        problem_of(answer)
        assert errors_of(answer)[parameter] == [
            "This cursor is not one this API gave. Use the next or previous link of a page as "
            "it is."
        ]
