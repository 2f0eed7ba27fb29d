"""A learner's employer records after creation: add, edit, end (kept as history) and choose
the primary one, from the learner's profile; the services first, then the pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, UserStatus, UserType
from learners import selectors, services
from learners.models import EmployerRecord
from tests.factories import AdministratorFactory, OrganisationFactory, UserFactory

from .test_services import messages_of, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def learner(admin):
    return UserFactory(tenant=admin.tenant, user_type=UserType.LEARNER, first_name="Leo")


def employer_at(organisation, first_name: str, **extra):
    person = UserFactory(
        tenant=organisation.tenant,
        user_type=UserType.EMPLOYER,
        status=UserStatus.FULL,
        first_name=first_name,
        **extra,
    )
    organisation.members.add(person)
    return person


@pytest.fixture
def acme(admin):
    return OrganisationFactory(tenant=admin.tenant, name="Acme Ltd")


@pytest.fixture
def brill(admin):
    return OrganisationFactory(tenant=admin.tenant, name="Brill Ltd")


def add(learner, admin, organisation, **fields):
    return services.employer_record_add(
        learner=learner, added_by=admin, data=record(organisation, **fields)
    )


# --- the services ---------------------------------------------------------------------------


def test_the_first_current_record_is_primary_and_later_ones_are_not(learner, admin, acme, brill):
    first = add(learner, admin, acme)
    second = add(learner, admin, brill)
    assert first.is_primary and not second.is_primary
    assert AuditEvent.objects.filter(subject=learner, action="record.added").count() == 2


def test_an_employer_is_added_once_while_its_record_is_current(learner, admin, acme):
    add(learner, admin, acme)
    with pytest.raises(Exception) as caught:
        add(learner, admin, acme)
    assert messages_of(caught) == {
        "organisation": ["Acme Ltd is already one of this learner's employers."]
    }
    assert EmployerRecord.objects.filter(learner=learner).count() == 1


def test_a_manager_must_work_for_the_employer_in_this_tenant(learner, admin, acme, brill):
    elsewhere = employer_at(brill, "Bea")
    with pytest.raises(Exception) as caught:
        add(learner, admin, acme, manager=elsewhere)
    assert messages_of(caught) == {
        "manager": ["Choose a manager who works for the selected employer."]
    }
    assert not EmployerRecord.objects.filter(learner=learner).exists()


def test_editing_changes_the_people_access_and_number_but_never_the_employer(
    learner, admin, acme, brill
):
    mo, meg = employer_at(acme, "Mo"), employer_at(acme, "Meg")
    current = add(learner, admin, acme, manager=mo)
    services.employer_record_update(
        record=current,
        updated_by=admin,
        data={
            # An employer posted here is ignored: the record's employer is fixed.
            "organisation": brill.pk,
            "manager": meg.pk,
            "mentor": mo.pk,
            "interfaces": ["classic", "console"],
            "main_aim_reference": "ZPROG001",
        },
    )
    current.refresh_from_db()
    assert (current.organisation, current.manager, current.mentor) == (acme, meg, mo)
    assert current.interface_console and current.main_aim_reference == "ZPROG001"
    event = AuditEvent.objects.get(subject=learner, action="record.updated")
    assert "manager" in event.summary and "mentor" in event.summary


def test_a_cancelled_manager_must_be_replaced_before_the_record_is_saved(learner, admin, acme):
    mo = employer_at(acme, "Mo")
    current = add(learner, admin, acme, manager=mo)
    mo.status = UserStatus.CANCELLED
    mo.save()
    with pytest.raises(Exception) as caught:
        services.employer_record_update(
            record=current, updated_by=admin, data=record(acme, manager=mo)
        )
    assert messages_of(caught) == {
        "manager": ["Choose a manager who works for the selected employer."]
    }


def test_ending_keeps_the_record_with_its_date_and_the_next_oldest_becomes_primary(
    learner, admin, acme, brill
):
    first, second = add(learner, admin, acme), add(learner, admin, brill)
    yesterday = timezone.localdate() - timedelta(days=1)
    first.created_at -= timedelta(days=10)
    first.save()
    services.employer_record_end(record=first, ended_by=admin, ended_on=yesterday)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ended_on == yesterday and not first.is_primary
    assert second.is_primary
    assert [r.pk for r in selectors.employer_records_of(learner=learner)] == [second.pk]
    assert [r.pk for r in selectors.employer_records_of(learner=learner, current=False)] == [
        first.pk
    ]
    assert AuditEvent.objects.filter(subject=learner, action="record.ended").exists()
    # The learner may return to an employer they left: a new record, the old one kept.
    again = add(learner, admin, acme)
    assert again.pk != first.pk and not again.is_primary


@pytest.mark.parametrize(
    ("ended_on", "message"),
    [
        (None, "Enter the learner's last day with this employer, like 31 7 2026."),
        ("tomorrow", "The end date cannot be in the future. End the record on or after that day."),
        ("before", "The end date cannot be before the record started, on 1 March 2026."),
    ],
)
def test_an_end_date_is_required_not_in_the_future_and_not_before_the_start(
    learner, admin, acme, ended_on, message
):
    current = add(learner, admin, acme)
    current.created_at = timezone.make_aware(timezone.datetime(2026, 3, 1, 12))
    current.save()
    day = {
        None: None,
        "tomorrow": timezone.localdate() + timedelta(days=1),
        "before": date(2026, 2, 28),
    }[ended_on]
    with pytest.raises(Exception) as caught:
        services.employer_record_end(record=current, ended_by=admin, ended_on=day)
    assert messages_of(caught) == {"ended_on": [message]}
    current.refresh_from_db()
    assert current.ended_on is None and current.is_primary


def test_an_ended_record_cannot_be_edited_ended_again_or_made_primary(learner, admin, acme):
    current = add(learner, admin, acme)
    services.employer_record_end(record=current, ended_by=admin, ended_on=timezone.localdate())
    for change in (
        lambda: services.employer_record_update(record=current, updated_by=admin, data={}),
        lambda: services.employer_record_end(
            record=current, ended_by=admin, ended_on=timezone.localdate()
        ),
        lambda: services.employer_record_make_primary(record=current, changed_by=admin),
    ):
        with pytest.raises(Exception) as caught:
            change()
        assert "ended on" in caught.value.messages[0]


def test_making_a_record_primary_moves_the_badge(learner, admin, acme, brill):
    first, second = add(learner, admin, acme), add(learner, admin, brill)
    services.employer_record_make_primary(record=second, changed_by=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert AuditEvent.objects.filter(subject=learner, action="record.primary").count() == 1
    # Asking again changes nothing and records nothing.
    services.employer_record_make_primary(record=second, changed_by=admin)
    assert AuditEvent.objects.filter(subject=learner, action="record.primary").count() == 1


def test_the_managers_learners_follow_every_change_at_once(learner, admin, acme):
    mo, meg = employer_at(acme, "Mo"), employer_at(acme, "Meg")
    current = add(learner, admin, acme, manager=mo)

    def supported(person):
        return [row.learner_id for row in selectors.learners_supported_by(person=person)]

    assert supported(mo) == [learner.pk] and supported(meg) == []
    services.employer_record_update(
        record=current, updated_by=admin, data=record(acme, manager=meg)
    )
    assert supported(mo) == [] and supported(meg) == [learner.pk]
    services.employer_record_end(record=current, ended_by=admin, ended_on=timezone.localdate())
    assert supported(meg) == []


# --- the pages ------------------------------------------------------------------------------


def posted(organisation, **fields) -> dict:
    """A record as the dialog's form posts it: empty strings, not None."""
    return {
        key: "" if value is None else value for key, value in record(organisation, **fields).items()
    }


def profile(client, learner):
    return client.get(reverse("accounts:user_detail", args=[learner.pk])).content.decode()


def test_the_profile_offers_each_action_to_administrators_who_may_create_users(
    client, admin, learner, acme, brill
):
    first = add(learner, admin, acme)
    add(learner, admin, brill)
    client.force_login(admin)
    page = profile(client, learner)
    assert "Add employer" in page
    assert reverse("learners:record_edit", args=[first.pk]) in page
    assert reverse("learners:record_end", args=[first.pk]) in page
    assert page.count("Make primary") == 1  # only on the record that is not primary

    viewer = AdministratorFactory(tenant=admin.tenant, roles=[])
    client.force_login(viewer)
    page = profile(client, learner)
    assert "Add employer" not in page and "Make primary" not in page
    assert "Acme Ltd" in page
    assert client.get(reverse("learners:record_edit", args=[first.pk])).status_code == 403


def test_add_employer_from_the_profile_without_javascript(client, admin, learner, acme):
    mo = employer_at(acme, "Mo")
    client.force_login(admin)
    url = reverse("learners:record_add", args=[learner.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**posted(acme, manager=mo), "action": "save"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/users/{learner.pk}/#employers-heading")
    saved = EmployerRecord.objects.get(learner=learner)
    assert saved.manager == mo and saved.is_primary
    response = client.post(url, {**posted(acme), "action": "save"})
    assert response.status_code == 422
    assert "Acme Ltd is already one of this learner&#x27;s employers." in response.content.decode()


def test_the_dialog_save_redraws_the_whole_profile(client, admin, learner, acme):
    client.force_login(admin)
    url = reverse("learners:record_add", args=[learner.pk])
    response = client.post(url, {**posted(acme), "action": "save"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_edit_and_end_pages_save_and_report_at_the_field(client, admin, learner, acme):
    mo = employer_at(acme, "Mo")
    current = add(learner, admin, acme)
    client.force_login(admin)
    edit = reverse("learners:record_edit", args=[current.pk])
    assert "Acme Ltd" in client.get(edit).content.decode()
    response = client.post(edit, {"action": "save", "manager": mo.pk, "interfaces": ["classic"]})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.manager == mo

    end = reverse("learners:record_end", args=[current.pk])
    response = client.post(end, {"ended_on": "2999-01-01"})
    assert response.status_code == 422
    assert "The end date cannot be in the future" in response.content.decode()
    response = client.post(end, {"ended_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    page = profile(client, learner)
    assert "Past employers" in page and "No current employer." in page
    # The ended record's pages now lead back to the profile, saying why.
    response = client.get(edit, follow=True)
    assert "it cannot be changed" in response.content.decode()


def test_make_primary_is_a_post_that_moves_the_badge(client, admin, learner, acme, brill):
    add(learner, admin, acme)
    second = add(learner, admin, brill)
    client.force_login(admin)
    url = reverse("learners:record_primary", args=[second.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Brill Ltd is now" in response.content.decode()
    second.refresh_from_db()
    assert second.is_primary


def test_an_archived_learners_records_stay_as_they_are(client, admin, learner, acme):
    current = add(learner, admin, acme)
    learner.is_archived = True
    learner.save()
    client.force_login(admin)
    response = client.post(
        reverse("learners:record_end", args=[current.pk]),
        {"ended_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Unarchive it first" in response.content.decode()
    current.refresh_from_db()
    assert current.ended_on is None
    assert "Add employer" not in profile(client, learner)


def test_an_employer_or_administrators_profile_has_no_employer_records_section(client, admin, acme):
    client.force_login(admin)
    employer = employer_at(acme, "Mo")
    assert 'id="employers-heading"' not in profile(client, employer)
