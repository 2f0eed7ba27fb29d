"""An edit loaded before someone else's change never undoes it.

The page (or an import's whole-file check) loads the person; another connection activates,
cancels or re-invites them; then the edit is saved. Each change survives, and the edit too.
Run with real commits (``transaction=True``): the other connection must see them.
"""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts import lifecycle
from accounts.activation import account_activate
from accounts.invitations import services as invitations
from accounts.invitations.tokens import activation_token_generator
from accounts.models import User, UserStatus, UserType
from employers.models import EmployerProfile
from employers.services import employer_update
from learners.models import LearnerProfile
from learners.services import learner_update
from tests.factories import PASSWORD, AdministratorFactory, EmployerGroupFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def elsewhere(work) -> None:
    """Run ``work`` on another thread, so on another database connection, and wait for it."""
    failure: list[BaseException] = []

    def run():
        try:
            work()
        except BaseException as error:  # reported to the test below
            failure.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not failure, failure


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def employer(admin):
    group = EmployerGroupFactory(tenant=admin.tenant)
    person = UserFactory(
        tenant=admin.tenant,
        user_type=UserType.EMPLOYER,
        status=UserStatus.PROSPECT,
        first_name="Jo",
        mobile="+447400123456",
    )
    person.employer_groups.add(group)
    EmployerProfile.objects.create(user=person)
    return person


def employer_edit(person, **changes) -> dict:
    return {
        "title": "Ms",
        "first_name": person.first_name,
        "surname": person.surname,
        "email": person.email,
        "mobile": "07400 123456",
        "employer_groups": list(person.employer_groups.values_list("pk", flat=True)),
        "roles": [],
        "interfaces": ["classic"],
        **changes,
    }


def learner_edit(person, **changes) -> dict:
    return {
        "title": "Mr",
        "first_name": person.first_name,
        "surname": person.surname,
        "email": person.email,
        "mobile": "07400 123456",
        "employer_groups": [],
        **changes,
    }


def test_an_activation_between_loading_and_saving_an_edit_survives(admin, employer):
    invitations.invitation_send(user=employer, sent_by=admin)
    stale = User.objects.get(pk=employer.pk)  # the edit page loads an Invited person
    elsewhere(lambda: account_activate(user=employer, username="jo.new", password=PASSWORD))

    employer_update(user=stale, updated_by=admin, data=employer_edit(stale, first_name="Joanna"))
    person = User.objects.get(pk=employer.pk)
    assert person.first_name == "Joanna"
    assert person.status == UserStatus.FULL and person.username == "jo.new"
    assert person.has_usable_password() and person.check_password(PASSWORD)
    assert person.activated_at is not None


def test_a_cancel_between_loading_and_saving_an_edit_survives(admin, employer):
    User.objects.filter(pk=employer.pk).update(
        status=UserStatus.FULL, activated_at=timezone.now()
    )
    stale = User.objects.get(pk=employer.pk)
    elsewhere(
        lambda: lifecycle.account_cancel(user=User(pk=stale.pk), cancelled_by=admin, reason="Left")
    )

    employer_update(user=stale, updated_by=admin, data=employer_edit(stale, surname="Khan"))
    person = User.objects.get(pk=employer.pk)
    assert person.surname == "Khan"
    assert person.status == UserStatus.CANCELLED
    assert person.session_epoch == stale.session_epoch + 1  # their sessions stay ended


def test_a_newer_invitation_between_loading_and_saving_an_edit_keeps_its_link(admin, employer):
    invitations.invitation_send(user=employer, sent_by=admin)
    stale = User.objects.get(pk=employer.pk)
    old_link = activation_token_generator.make_token(stale)
    elsewhere(lambda: invitations.invitation_send(user=User(pk=stale.pk), sent_by=admin))
    newer = User.objects.get(pk=employer.pk)
    new_link = activation_token_generator.make_token(newer)

    employer_update(user=stale, updated_by=admin, data=employer_edit(stale, first_name="Jay"))
    person = User.objects.get(pk=employer.pk)
    assert person.invitation_count == stale.invitation_count + 1
    assert activation_token_generator.check_token(person, new_link)
    assert not activation_token_generator.check_token(person, old_link)


def test_a_learner_edit_loaded_before_an_activation_keeps_it(admin):
    learner = UserFactory(
        tenant=admin.tenant, user_type=UserType.LEARNER, status=UserStatus.PROSPECT
    )
    LearnerProfile.objects.create(user=learner)
    invitations.invitation_send(user=learner, sent_by=admin)
    stale = User.objects.get(pk=learner.pk)
    elsewhere(lambda: account_activate(user=learner, username="lee.new", password=PASSWORD))

    learner_update(user=stale, updated_by=admin, data=learner_edit(stale, surname="Lee"))
    person = User.objects.get(pk=learner.pk)
    assert person.surname == "Lee"
    assert person.status == UserStatus.FULL and person.check_password(PASSWORD)


def test_an_edit_writes_only_the_columns_it_changed(admin, employer):
    stale = User.objects.get(pk=employer.pk)
    # Another writer changes a column the form does not hold (the access end date).
    User.objects.filter(pk=employer.pk).update(access_ends_on=timezone.localdate())
    employer_update(user=stale, updated_by=admin, data=employer_edit(stale, first_name="Jude"))
    person = User.objects.get(pk=employer.pk)
    assert person.first_name == "Jude" and person.access_ends_on == timezone.localdate()


def test_an_import_updating_people_keeps_what_changed_after_its_check(admin, employer):
    """The importer checks the whole file first, loading each person it updates; someone
    activating meanwhile stays a Full user when the file's rows are written."""
    from tests.uploads.test_employers_upload import csv_bytes, row
    from uploads import employers

    invitations.invitation_send(user=employer, sent_by=admin)
    group = employer.employer_groups.get()
    found = employers.check(
        tenant=admin.tenant,
        raw=csv_bytes(
            [row(1, Email=employer.email, Surname="Imported", **{"Employer groups": group.name})]
        ),
        default_group=None,
        send_invitations=False,
        update_existing=True,
        max_rows=100,
    )
    assert found.error_count == 0 and len(found.updates) == 1
    elsewhere(lambda: account_activate(user=employer, username="jo.now", password=PASSWORD))

    employers.write(tenant=admin.tenant, uploaded_by=admin, found=found)
    person = User.objects.get(pk=employer.pk)
    assert person.surname == "Imported"
    assert person.status == UserStatus.FULL and person.check_password(PASSWORD)
