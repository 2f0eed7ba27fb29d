import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import DEFAULT_LIST_STATUSES, UserStatus, UserType
from tests.factories import AdministratorFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
USERS = reverse("accounts:user_list")


@pytest.fixture
def admin(client):
    admin = AdministratorFactory(first_name="Ada", surname="Admin", email="ada@provider.example")
    client.force_login(admin)
    return admin


def listed_emails(response) -> list[str]:
    return [row.email for row in response.context["page"].rows]


def test_sign_in_is_required(client):
    response = client.get(USERS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_learners_and_employers_may_not_open_the_list(client):
    client.force_login(UserFactory(user_type=UserType.EMPLOYER))
    assert client.get(USERS).status_code == 403


def test_default_statuses_are_full_invited_and_prospect(client, admin):
    for status in UserStatus.values:
        UserFactory(tenant=admin.tenant, status=status, email=f"{status}@example.com")
    emails = set(listed_emails(client.get(USERS)))
    assert {"full@example.com", "invited@example.com", "prospect@example.com"} <= emails
    assert not {"expired@example.com", "cancelled@example.com"} & emails

    emails = listed_emails(client.get(USERS, {"status": "expired"}))
    assert emails == ["expired@example.com"]


def test_archived_users_are_hidden(client, admin):
    UserFactory(tenant=admin.tenant, email="archived@example.com", is_archived=True)
    assert "archived@example.com" not in listed_emails(client.get(USERS))


def test_search_matches_name_or_email_ignoring_case(client, admin):
    UserFactory(tenant=admin.tenant, first_name="Priya", surname="Patel", email="pp@acme.example")
    UserFactory(tenant=admin.tenant, first_name="Priya", surname="Smith", email="ps@other.example")
    UserFactory(tenant=admin.tenant, first_name="Sam", surname="Jones", email="sam@acme.example")

    assert sorted(listed_emails(client.get(USERS, {"q": "PRIYA"}))) == [
        "pp@acme.example",
        "ps@other.example",
    ]
    assert listed_emails(client.get(USERS, {"q": "priya patel"})) == ["pp@acme.example"]
    assert sorted(listed_emails(client.get(USERS, {"q": "acme.example"}))) == [
        "pp@acme.example",
        "sam@acme.example",
    ]
    response = client.get(USERS, {"q": "nobody-matches-this"})
    assert listed_emails(response) == []
    assert "No users match" in response.content.decode()


def test_type_filter(client, admin):
    UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, email="boss@example.com")
    UserFactory(tenant=admin.tenant, user_type=UserType.LEARNER, email="apprentice@example.com")
    assert listed_emails(client.get(USERS, {"type": "employer"})) == ["boss@example.com"]


def test_ten_rows_a_page_by_default_with_more_on_request(client, admin):
    UserFactory.create_batch(30, tenant=admin.tenant)
    first = client.get(USERS)
    assert len(listed_emails(first)) == 10
    assert first.context["page"].has_next
    first_25 = client.get(USERS, {"per_page": 25})
    assert len(listed_emails(first_25)) == 25
    cursor = first_25.context["page"].next_cursor
    last = client.get(USERS, {"per_page": 25, "after": cursor})
    assert len(listed_emails(last)) == 6  # 30 users and the administrator
    assert not last.context["page"].has_next
    assert 'rel="prev"' in last.content.decode()
    back = client.get(USERS, {"per_page": 25, "before": last.context["page"].previous_cursor})
    assert listed_emails(back) == listed_emails(first_25)
    assert not back.context["page"].has_previous


def test_page_links_keep_the_search_and_filters(client, admin):
    UserFactory.create_batch(12, tenant=admin.tenant, surname="Smith")
    response = client.get(USERS, {"q": "smith", "status": ["full"]})
    cursor = response.context["page"].next_cursor
    link = f'href="?q=smith&amp;status=full&amp;per_page=10&amp;after={cursor}"'
    assert link in response.content.decode()


def test_same_number_of_queries_for_10_rows_as_for_100(client, admin):
    UserFactory.create_batch(120, tenant=admin.tenant)

    def queries_for(per_page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(USERS, {"per_page": per_page})
        assert len(listed_emails(response)) == per_page
        return len(captured)

    assert queries_for(10) == queries_for(100)


def test_list_never_counts_the_whole_table(client, admin, django_assert_max_num_queries):
    UserFactory.create_batch(15, tenant=admin.tenant)
    with CaptureQueriesContext(connection) as captured:
        client.get(USERS)
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    # The one count there is stops at EXACT_COUNT_BELOW + 1 rows (then the planner estimates).
    assert len(counts) == 1 and counts[0].rstrip().endswith("LIMIT 1001) subquery")
    # Session, user, the group filter's first page of groups, the rows, the capped count, the
    # viewer's permissions; and on PostgreSQL the page's "no parallel workers" setting.
    with django_assert_max_num_queries(7):
        client.get(USERS, {"q": "example"})


def test_another_tenants_users_never_appear_and_their_profiles_are_404(client, admin):
    other_tenant = TenantFactory()
    stranger = UserFactory(tenant=other_tenant, email="stranger@elsewhere.example")
    neighbour = UserFactory(tenant=admin.tenant, email="neighbour@here.example")

    emails = listed_emails(client.get(USERS, {"per_page": 100}))
    assert "stranger@elsewhere.example" not in emails
    assert "neighbour@here.example" in emails
    assert listed_emails(client.get(USERS, {"q": "stranger"})) == []
    assert client.get(reverse("accounts:user_detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[neighbour.pk])).status_code == 200


def test_profile_shows_the_users_details(client, admin):
    person = UserFactory(
        tenant=admin.tenant,
        first_name="Kwame",
        surname="Mensah",
        email="kwame@example.com",
        mobile="+447400900982",
        status=UserStatus.INVITED,
    )
    html = client.get(reverse("accounts:user_detail", args=[person.pk])).content.decode()
    assert "Kwame Mensah" in html
    assert "kwame@example.com" in html
    assert "07400 900982" in html
    assert "Invited" in html


def test_htmx_request_gets_only_the_results(client, admin):
    UserFactory(tenant=admin.tenant, email="partial@example.com")
    response = client.get(USERS, {"q": "partial"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "partial@example.com" in html
    assert "<html" not in html
    assert 'role="search"' not in html  # the search form stays as the person left it


def test_bad_filter_values_fall_back_to_defaults(client, admin):
    response = client.get(USERS, {"status": "bogus", "per_page": "7", "after": "x²!"})
    assert response.status_code == 200
    assert response.context["page"].per_page == 10


def test_pages_stay_put_when_people_are_added_meanwhile(client, admin):
    """A keyset page starts after the last row seen: someone created meanwhile (newest, so at
    the top) neither shifts the next page nor repeats a row."""
    UserFactory.create_batch(25, tenant=admin.tenant)
    first = client.get(USERS)
    seen = listed_emails(first)
    UserFactory.create_batch(3, tenant=admin.tenant)
    second = client.get(USERS, {"after": first.context["page"].next_cursor})
    assert not set(seen) & set(listed_emails(second))
    assert len(listed_emails(second)) == 10


def test_the_total_is_exact_when_small_and_said_plainly(client, admin):
    UserFactory.create_batch(11, tenant=admin.tenant)
    response = client.get(USERS)
    assert response.context["total"].exact and response.context["total"].count == 12
    assert "12 users match. Showing 10." in response.content.decode()


@pytest.mark.parametrize("cursor", ["", "nonsense", "W10", "WyJ4Il0", "WyIyMDI2IiwgMV0", "²"])
def test_a_cursor_that_is_not_ours_shows_the_first_page(client, admin, cursor):
    UserFactory.create_batch(12, tenant=admin.tenant)
    first = listed_emails(client.get(USERS))
    response = client.get(USERS, {"after": cursor})
    assert response.status_code == 200 and listed_emails(response) == first


def test_each_row_links_to_that_persons_profile(client, admin):
    person = UserFactory(tenant=admin.tenant, first_name="Linked")
    html = client.get(USERS, {"q": "Linked"}).content.decode()
    assert f'href="{reverse("accounts:user_detail", args=[person.pk])}"' in html


def test_a_status_has_one_badge_colour_on_the_list_and_the_profile(client):
    import re

    from accounts.models import UserStatus
    from tests.factories import AdministratorFactory, UserFactory

    admin = AdministratorFactory()
    client.force_login(admin)
    prospect = UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, first_name="Pat")
    listed = client.get("/users/", {"q": "Pat", "status": ["prospect"]}).content.decode()
    profile = client.get(f"/users/{prospect.pk}/").content.decode()
    colour = r'<span class="badge (text-bg-\w+)">Prospect</span>'
    assert re.findall(colour, listed) == re.findall(colour, profile) == ["text-bg-secondary"]


def test_the_list_sorts_by_each_column_and_pages_stay_in_that_order(client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import AdministratorFactory, UserFactory

    admin = AdministratorFactory(surname="Zzadmin", email="zz.admin@example.com")
    client.force_login(admin)
    now = timezone.now()
    names = ["Cole", "Adams", "Baker", "Evans", "Dunn"]
    for n, surname in enumerate(names):
        UserFactory(
            tenant=admin.tenant,
            surname=surname,
            email=f"{surname.lower()}@example.com",
            created_at=now - timedelta(days=n),
        )

    def surnames(response):
        return [row.surname for row in response.context["page"].rows]

    by_name = client.get("/users/", {"sort": "name", "per_page": 10})
    assert surnames(by_name) == ["Adams", "Baker", "Cole", "Dunn", "Evans", "Zzadmin"]
    html = by_name.content.decode()
    assert 'aria-sort="ascending"' in html and "(sorted ascending)" in html
    first = client.get("/users/", {"sort": "name", "per_page": 10, "q": "example"})
    assert surnames(first)[:2] == ["Adams", "Baker"]
    by_email = client.get("/users/", {"sort": "email"})
    assert surnames(by_email)[0] == "Adams" and surnames(by_email)[-1] == "Zzadmin"
    newest = client.get("/users/")
    assert 'aria-sort="descending"' in newest.content.decode()

    # The next page carries on in the same order.
    page_one = client.get("/users/", {"sort": "name", "per_page": 10, "q": ""})
    assert page_one.context["sort"] == "name"
    assert "sort=name" in page_one.context["query"]


def test_a_cursor_past_the_end_says_so_and_leads_back(client):
    from accounts.selectors import USER_LIST_SORTS
    from tests.factories import AdministratorFactory
    from ui.pagination import cursor_for

    admin = AdministratorFactory()
    client.force_login(admin)
    cursor = cursor_for(admin, USER_LIST_SORTS["created"])
    html = client.get("/users/", {"after": cursor}).content.decode()
    assert "There are no more users past this point." in html
    assert "No users match" not in html


def test_a_full_user_past_their_access_end_is_listed_and_found_as_expired(client):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import UserStatus
    from tests.factories import AdministratorFactory, UserFactory

    admin = AdministratorFactory()
    client.force_login(admin)
    today = timezone.localdate()
    ended = UserFactory(
        tenant=admin.tenant,
        status=UserStatus.FULL,
        surname="Ended",
        access_ends_on=today - timedelta(days=1),
    )
    active = UserFactory(tenant=admin.tenant, status=UserStatus.FULL, surname="Active")

    def surnames(statuses):
        response = client.get("/users/", {"status": statuses, "q": ""})
        return {row.surname for row in response.context["page"].rows} - {admin.surname}

    assert surnames(["full"]) == {"Active"}
    assert surnames(["expired"]) == {"Ended"}
    html = client.get("/users/", {"status": ["expired"]}).content.decode()
    assert ">Expired</span>" in html
    assert ended.shown_status == UserStatus.EXPIRED and active.shown_status == UserStatus.FULL


def test_a_row_shows_the_persons_name_email_username_type_status_and_creation_day(client):
    import re
    from datetime import UTC, date, datetime

    admin = AdministratorFactory()
    client.force_login(admin)
    person = UserFactory(
        tenant=admin.tenant,
        user_type=UserType.LEARNER,
        status=UserStatus.FULL,
        first_name="Zofia",
        surname="O'Neill",
        email="zofia@example.com",
        username="",
        access_ends_on=date(2020, 1, 31),
        created_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
    )
    html = client.get(USERS, {"q": "Zofia", "status": ["expired"]}).content.decode()
    row = re.search(r"<tr>\s*<td><input.*?</tr>", html, re.S)
    assert row, html
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row[0])]
    assert cells[1:7] == [
        "Zofia O&#x27;Neill",
        "zofia@example.com",
        "—",
        "Learner",
        "Expired",
        "2 Jul 2026",  # 23:30 UTC is past midnight in London's summer time
    ]
    assert f'value="{person.pk}"' in row[0] and f'href="{USERS}{person.pk}/"' in row[0]
    assert '<time datetime="2026-07-02T00:30:00+01:00">' in row[0]  # the same instant


def test_markup_typed_into_a_name_or_email_is_shown_as_text_never_run(client):
    admin = AdministratorFactory()
    client.force_login(admin)
    UserFactory(
        tenant=admin.tenant,
        first_name='<script>alert("x")</script>',
        surname="<img src=x onerror=alert(1)>",
        email="o'brien\"@example.com",
        username="<b>bold</b>",
    )
    html = client.get(USERS, {"per_page": 100}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
        in html
    )
    assert "o&#x27;brien&quot;@example.com" in html
    assert 'aria-label="Select &lt;script&gt;' in html


def sort_link(response, key: str) -> str:
    return response.context["sort_headers"][key]["url"]


def test_a_bare_sort_link_ticks_the_statuses_it_lists(client, admin):
    UserFactory(tenant=admin.tenant, status=UserStatus.CANCELLED, email="gone@example.com")
    UserFactory(tenant=admin.tenant, status=UserStatus.PROSPECT, email="new@example.com")
    response = client.get(USERS, {"sort": "name"})
    form = response.context["form"]
    assert sorted(form["status"].value()) == sorted(DEFAULT_LIST_STATUSES)
    emails = listed_emails(response)
    assert "new@example.com" in emails and "gone@example.com" not in emails


def test_sorting_keeps_every_filter_and_a_second_click_reverses(client, admin):
    for surname in ("Kestrel-Adams", "Kestrel-Baker", "Cole"):
        UserFactory(tenant=admin.tenant, surname=surname, status=UserStatus.PROSPECT)
    UserFactory(tenant=admin.tenant, surname="Kestrel-Dunn", status=UserStatus.FULL)

    def surnames(response) -> list[str]:
        return [row.surname for row in response.context["page"].rows]

    first_visit = client.get(USERS)
    assert "status=prospect" in sort_link(first_visit, "name")  # the defaults, spelled out

    filtered = client.get(USERS, {"status": ["prospect"], "q": "kestrel"})
    by_name = client.get(USERS + sort_link(filtered, "name"))
    assert by_name.context["form"]["status"].value() == ["prospect"]
    assert by_name.context["form"]["q"].value() == "kestrel"
    assert surnames(by_name) == ["Kestrel-Adams", "Kestrel-Baker"]
    assert 'aria-sort="ascending"' in by_name.content.decode()

    reversed_ = client.get(USERS + sort_link(by_name, "name"))
    assert surnames(reversed_) == ["Kestrel-Baker", "Kestrel-Adams"]
    assert 'aria-sort="descending"' in reversed_.content.decode()
    assert reversed_.context["form"]["status"].value() == ["prospect"]
    assert surnames(client.get(USERS + sort_link(reversed_, "name"))) == [
        "Kestrel-Adams",
        "Kestrel-Baker",
    ]


def test_a_search_that_finds_only_hidden_people_says_where_they_are(client, admin):
    UserFactory(tenant=admin.tenant, surname="Quillon", is_archived=True)
    UserFactory(tenant=admin.tenant, surname="Quillon", status=UserStatus.CANCELLED)
    UserFactory(tenant=admin.tenant, surname="Quillon", status=UserStatus.CANCELLED)
    html = client.get(USERS, {"q": "quillon"}).content.decode()
    assert "No users match these filters." in html
    assert "1 archived account matches." in html
    assert "2 people with other statuses (Expired or Cancelled, say) match." in html

    response = client.get(USERS, {"q": "quillon"})
    links = {hint["kind"]: hint["url"] for hint in response.context["hidden_matches"]}
    archived, others = links["archived"], links["status"]
    assert [row.surname for row in client.get(USERS + archived).context["page"].rows] == ["Quillon"]
    assert len(client.get(USERS + others).context["page"].rows) == 2


def test_an_empty_search_with_nothing_hidden_gives_the_plain_advice(client, admin):
    html = client.get(USERS, {"q": "nobody-by-this-name"}).content.decode()
    assert "No users match these filters. Try fewer words, or other statuses." in html
    assert "Show archived accounts" not in html
