"""accounts' services: people (accounts.services), the invitation lifecycle
(accounts.invitations.services) and activation (accounts.activation)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from accounts.activation import account_activate
from accounts.invitations import services
from accounts.invitations.models import Invitation
from accounts.invitations.services import CANNOT_INVITE
from accounts.models import User, UserStatus
from accounts.services import email_taken, interface_access_clean
from tests.factories import AdministratorFactory, TenantFactory, UserFactory

PASSWORD = "plum orchard lantern 42"
START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def invited(db, django_capture_on_commit_callbacks):
    user = UserFactory(status=UserStatus.PROSPECT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=user, sent_by=None)
    user.refresh_from_db()
    mail.outbox.clear()
    return user


# --- The status is judged on the locked row --------------------------------------------------


def test_a_resend_with_a_stale_copy_does_not_undo_an_activation(invited):
    """The caller's copy still says Invited; the row says Full user. The row wins."""
    stale = User.objects.get(pk=invited.pk)
    account_activate(user=invited, username="ines", password=PASSWORD)
    with pytest.raises(ValidationError) as caught:
        services.invitation_send(user=stale, sent_by=None)
    assert caught.value.messages == [CANNOT_INVITE]
    invited.refresh_from_db()
    assert invited.status == UserStatus.FULL and invited.has_usable_password()
    assert invited.invitations.count() == 1


def test_a_resend_to_someone_still_invited_sends_a_new_link(
    invited, django_capture_on_commit_callbacks
):
    """The twin: while they are Invited, the same call sends."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation, sent_now = services.invitation_send(user=invited, sent_by=None)
    assert sent_now and invitation.sequence == 2 and len(mail.outbox) == 1


def test_bulk_resend_and_fresh_links_skip_someone_who_activated_meanwhile(
    invited, django_capture_on_commit_callbacks
):
    other = UserFactory(tenant=invited.tenant, status=UserStatus.PROSPECT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=other, sent_by=None)
    mail.outbox.clear()
    account_activate(user=invited, username="ines", password=PASSWORD)
    admin = AdministratorFactory(tenant=invited.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.invitation_batch_start(
            tenant=invited.tenant,
            requested_by=admin,
            kind="resend",
            user_ids=[invited.pk, other.pk],
        )
    batch.refresh_from_db()
    assert batch.outcomes == {
        str(other.pk): {"result": "sent", "why": ""},
        str(invited.pk): {"result": "skipped", "why": services.BATCH_NOT_WAITING},
    }
    assert [m.to for m in mail.outbox] == [[other.email]]
    invited.refresh_from_db()
    assert invited.status == UserStatus.FULL


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_activation_committed_while_a_resend_waits_for_the_lock_keeps_the_full_user():
    """Two connections: the person activates (holding the row lock) while a resend for the same
    person is on its way; the resend waits, then sees the committed Full user and stops."""
    person = UserFactory(status=UserStatus.PROSPECT)
    services.invitation_send(user=person, sent_by=None)
    stale = User.objects.get(pk=person.pk)  # what the resend was handed: Invited
    locked = threading.Event()
    outcome = {}

    def activate_holding_the_lock():
        try:
            with transaction.atomic():
                row = User.objects.select_for_update().get(pk=person.pk)
                locked.set()
                time.sleep(0.5)  # the resend is now waiting on this row
                row.status = UserStatus.FULL
                row.set_password(PASSWORD)
                row.save()
        finally:
            connection.close()

    activation = threading.Thread(target=activate_holding_the_lock)
    activation.start()
    assert locked.wait(5)
    try:
        services.invitation_send(user=stale, sent_by=None)
    except ValidationError as error:
        outcome["refused"] = error.messages
    activation.join(5)
    person.refresh_from_db()
    assert outcome == {"refused": [CANNOT_INVITE]}
    assert person.status == UserStatus.FULL
    assert Invitation.objects.filter(user=person).count() == 1


# --- One expiry for token, email and Pending invitations ------------------------------------


@pytest.mark.django_db
def test_the_invitation_records_the_expiry_its_email_promises(django_capture_on_commit_callbacks):
    user = UserFactory(status=UserStatus.PROSPECT, tenant=TenantFactory(activation_link_days=7))
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        invitation, _ = services.invitation_send(user=user, sent_by=None)
    assert invitation.expires_at == START + timedelta(days=7)
    assert "9 March 2026" in mail.outbox[0].body


# --- People ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_taken_ignores_case_within_a_tenant_only():
    person = UserFactory(email="Sam.Jones@example.com")
    assert email_taken(tenant=person.tenant, email="sam.jones@EXAMPLE.com")
    assert not email_taken(tenant=TenantFactory(), email="sam.jones@example.com")
    assert not email_taken(tenant=person.tenant, email="sam.jones@example.com", exclude=person)


def test_interface_access_takes_classic_console_or_both_and_nothing_else():
    assert interface_access_clean(["classic"]) == {
        "interface_classic": True,
        "interface_console": False,
    }
    assert interface_access_clean(["classic", "console"]) == {
        "interface_classic": True,
        "interface_console": True,
    }
    for bad in ([], None, ["admin"], ["classic", "admin"]):
        with pytest.raises(ValidationError):
            interface_access_clean(bad)


def test_activation_hashes_the_password_once_and_checks_nothing_else(invited):
    """One hash per activation (Argon2 in production costs tens of milliseconds each)."""
    from unittest import mock

    from django.contrib.auth.hashers import MD5PasswordHasher

    real_encode = MD5PasswordHasher.encode
    with (
        mock.patch.object(
            MD5PasswordHasher, "encode", autospec=True, side_effect=real_encode
        ) as encode,
        mock.patch.object(MD5PasswordHasher, "verify", autospec=True) as verify,
    ):
        account_activate(user=invited, username="ines", password=PASSWORD)
    assert encode.call_count == 1 and verify.call_count == 0
    invited.refresh_from_db()
    assert invited.check_password(PASSWORD)


# --- Lengths the database holds (PostgreSQL answered 500 beyond them) --------------------------


def _person(**overrides):
    return {
        "title": "Ms",
        "first_name": "Long",
        "surname": "Fields",
        "email": "long.fields@example.com",
        "mobile": "07400 123456",
        **overrides,
    }


@pytest.mark.django_db
def test_text_beyond_its_column_is_refused_at_its_field_with_its_limit():
    from accounts.services import person_details_clean

    local = "a" * 64
    long_email = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 63}.example"  # valid, 265 characters
    _, errors = person_details_clean(
        tenant=TenantFactory(),
        data=_person(address_line_1="x" * 101, town="y" * 61, county="z" * 61, email=long_email),
    )
    messages = {
        field: [str(e.message % e.params) for e in found] for field, found in errors.items()
    }
    assert messages == {
        "address_line_1": ["Address line 1 must be 100 characters or fewer."],
        "town": ["Town or city must be 60 characters or fewer."],
        "county": ["County must be 60 characters or fewer."],
        "email": ["An email address must be 254 characters or fewer."],
    }


@pytest.mark.django_db
def test_text_at_its_column_length_is_kept_and_saved():
    """The twin: exactly the limit fits, and the database takes it."""
    from accounts.services import person_details_clean

    tenant = TenantFactory()
    clean, errors = person_details_clean(
        tenant=tenant, data=_person(address_line_1="x" * 100, town="y" * 60, county="z" * 60)
    )
    assert errors == {}
    person = UserFactory(
        tenant=tenant, **{k: clean[k] for k in ("address_line_1", "town", "county")}
    )
    person.refresh_from_db()
    assert len(person.address_line_1) == 100


# --- Look-alike and invisible characters -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["Ada\u200bLovelace", "Ada\u202eecalevoL", "Ada\u2066Lovelace\u2069", "Ada\x00"]
)
def test_names_refuse_invisible_and_direction_characters(name):
    from accounts.services import person_details_clean

    _, errors = person_details_clean(
        tenant=TenantFactory(), data=_person(first_name=name, town=name)
    )
    assert set(errors) == {"first_name", "town"}
    assert "cannot contain invisible or control characters" in str(errors["first_name"][0].message)


@pytest.mark.django_db
def test_names_in_any_script_are_kept():
    """The twin: accents, other alphabets and apostrophes are names, not tricks."""
    from accounts.services import person_details_clean

    for name in ("Siobhán", "Zoë", "Дмитрий", "O'Brien", "محمد"):
        clean, errors = person_details_clean(tenant=TenantFactory(), data=_person(first_name=name))
        assert errors == {} and clean["first_name"] == name


def test_a_fullwidth_username_is_the_plain_one_and_so_is_taken(invited):
    UserFactory(username="admin")
    with pytest.raises(ValidationError) as caught:
        account_activate(user=invited, username="\uff21\uff24\uff2d\uff29\uff2e", password=PASSWORD)
    assert "already taken" in caught.value.messages[0]
    user = account_activate(user=invited, username="\u1d2c" + "da", password=PASSWORD)
    assert user.username == "Ada"  # the superscript A is stored as a plain A


# --- Races across tenants end in a message or another default, never a 500 ------------------


@pytest.mark.django_db
def test_an_address_made_someones_username_meanwhile_leaves_the_new_person_without_one():
    """Two tenants create the same email at once: the loser's default username (the email) is
    taken site-wide between its check and its insert. The person is created anyway, and will
    choose a username at activation."""
    from unittest import mock

    from accounts.services import person_create

    winner = UserFactory(email="shared@example.com", username="shared@example.com")
    tenant = TenantFactory()
    clean = {"title": "Ms", "first_name": "Late", "surname": "Comer", "email": winner.email}
    with mock.patch("accounts.services.username_default", return_value=winner.username):
        person, _ = person_create(
            tenant=tenant,
            user_type="employer",
            created_by=None,
            clean=clean,
            invite=False,
            populate=lambda user: "",
        )
    assert person.tenant == tenant and person.username is None
    assert User.objects.filter(email="shared@example.com").count() == 2


def test_a_username_taken_in_another_tenant_at_the_last_moment_is_a_message(invited):
    from unittest import mock

    UserFactory(username="popular")
    with (
        mock.patch("accounts.activation.username_taken", return_value=False),
        pytest.raises(ValidationError) as caught,
    ):
        account_activate(user=invited, username="popular", password=PASSWORD)
    assert caught.value.message_dict == {
        "username": ["The username 'popular' is already taken. Choose another."]
    }
    invited.refresh_from_db()
    assert invited.status == UserStatus.INVITED and not invited.has_usable_password()


# --- One spelling per mailbox -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("name@\uff24\uff35\uff30\uff25.example", "name@dupe.example"),  # full-width domain
        ("\uff4e\uff41\uff4d\uff45@dupe.example", "name@dupe.example"),  # full-width local part
        ("Name@XN--BCHER-KVA.example", "Name@bücher.example"),  # punycode domain
        ("Name@BÜCHER.Example", "Name@bücher.example"),
        (" name@dupe.example ", "name@dupe.example"),
        # IDNA 2008 (UTS 46, non-transitional): ß and the final sigma are letters of their own.
        ("jo@STRAßE.de", "jo@straße.de"),
        ("jo@xn--strae-oqa.de", "jo@straße.de"),
        ("jo@strasse.de", "jo@strasse.de"),
        ("jo@ΑΛΦΑς.gr", "jo@αλφας.gr"),
        ("jo@xn--mxaa3a3as.gr", "jo@αλφας.gr"),
        ("jo@αλφασ.gr", "jo@αλφασ.gr"),
    ],
)
def test_emails_are_normalised_to_one_spelling_per_mailbox(typed, stored):
    assert User.objects.normalize_email(typed) == stored


@pytest.mark.django_db
def test_an_address_at_a_sharp_s_domain_is_not_someone_elses(
    django_capture_on_commit_callbacks,
):
    """jo@straße.de and jo@strasse.de are two registered domains: two people may hold them,
    and the activation link goes to the one typed, as the mail server is given it."""
    from accounts.services import person_details_clean

    tenant = TenantFactory()
    UserFactory(tenant=tenant, email="jo@strasse.de")
    clean, errors = person_details_clean(tenant=tenant, data=_person(email="jo@straße.de"))
    assert errors == {} and clean["email"] == "jo@straße.de"
    person = UserFactory(tenant=tenant, email=clean["email"], status=UserStatus.PROSPECT)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(user=person, sent_by=None)
    assert [message.to for message in mail.outbox] == [["jo@xn--strae-oqa.de"]]
    assert "strasse" not in mail.outbox[0].message()["To"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "twin",
    ["name@\uff44\uff55\uff50\uff45.example", "\uff4e\uff41\uff4d\uff45@DUPE.example"],
)
def test_a_look_alike_of_a_registered_email_is_taken(twin):
    from accounts.services import EMAIL_TAKEN, person_details_clean

    tenant = TenantFactory()
    UserFactory(tenant=tenant, email="name@dupe.example")
    _, errors = person_details_clean(tenant=tenant, data=_person(email=twin))
    assert [e.message for e in errors["email"]] == [EMAIL_TAKEN]


@pytest.mark.django_db
def test_a_punycode_twin_is_taken_and_every_write_path_stores_the_one_spelling():
    from accounts.services import EMAIL_TAKEN, person_details_clean

    tenant = TenantFactory()
    # Saved directly, as the Django admin or an import would: the model normalises too.
    first = UserFactory(tenant=tenant, email="ana@BÜCHER.example")
    first.refresh_from_db()
    assert first.email == "ana@bücher.example"
    _, errors = person_details_clean(tenant=tenant, data=_person(email="ana@xn--bcher-kva.example"))
    assert [e.message for e in errors["email"]] == [EMAIL_TAKEN]


@pytest.mark.django_db
def test_sign_in_and_fresh_links_find_the_account_by_a_look_alike_spelling(client):
    from tests.factories import PASSWORD

    UserFactory(username="ana.b", email="ana@dupe.example", password=PASSWORD)
    response = client.post(
        "/sign-in/", {"username": "ana@\uff44\uff55\uff50\uff45.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    invited = UserFactory(email="ina@dupe.example", status=UserStatus.INVITED)
    assert services.fresh_link_request(email="ina@\uff24\uff35\uff30\uff25.example") == 1
    assert invited.invitations.count() == 1
