"""People: the details every person has, checked once for every route, and their creation.

The pages, the CSV importer and the API call these, so each rule and message is written once.
"""

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from .audit import audit_record
from .factors.phone import normalise_mobile
from .invitations.models import Invitation
from .invitations.services import invitation_create, invitation_deliver_after_commit
from .lookups import ci
from .models import INTERFACES, Gender, Tenant, Title, User, UserStatus, interface_flags
from .postcodes import normalise_postcode
from .selectors import username_taken

NAME_MAX = 50
TITLE_REQUIRED = "Select a title."
FIRST_NAME_REQUIRED = "Enter a first name."
SURNAME_REQUIRED = "Enter a surname."
NAME_TOO_LONG = "%(label)s must be 50 characters or fewer."
EMAIL_REQUIRED = "Enter an email address."
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com."
EMAIL_TAKEN = (
    "The email address '%(email)s' is already registered to another account and cannot be used "
    "with this account. Please check that you have typed the address correctly."
)
EMAIL_TAKEN_ARCHIVED = (
    "The email address '%(email)s' belongs to an archived account. Unarchive that account "
    "(Users, Archived) rather than create another."
)
MOBILE_REQUIRED = "Enter a mobile number."
MOBILE_REQUIRED_MFV = (
    "Enter a mobile number: your organisation uses multi-factor verification, which sends "
    "codes by SMS."
)
GENDER_INVALID = "Select a gender from the list."
TEXT_TOO_LONG = "%(label)s must be %(limit)d characters or fewer."
INVISIBLE_CHARACTERS = (
    "%(label)s cannot contain invisible or control characters (such as zero-width spaces or "
    "text-direction marks). Type it again."
)


def has_invisible_characters(value: str) -> bool:
    """Control and format characters: NUL, zero-width spaces, right-to-left overrides, bidi
    isolates. They hide what a name really says, so names refuse them."""
    return any(unicodedata.category(char) in ("Cc", "Cf") for char in value)


EMAIL_TOO_LONG = "An email address must be %(limit)d characters or fewer."

PERSON_TEXT_FIELDS = (
    "first_name",
    "surname",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
)
# Every field of a person that person_details_clean checks and returns.
PERSON_FIELDS = (
    "title",
    "first_name",
    "surname",
    "email",
    "mobile",
    "gender",
    "postcode",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "county",
)


def too_long(model: type[models.Model], field: str, value: str) -> ValidationError | None:
    """The message for ``value`` longer than ``model.field``'s column, or None when it fits.

    Every route (form, CSV, API) goes through the services, so this is where a length the
    database cannot hold is refused with the field's own name, never a database error."""
    model_field = model._meta.get_field(field)
    limit = getattr(model_field, "max_length", None)
    if not limit or len(value) <= limit:
        return None
    return ValidationError(
        TEXT_TOO_LONG,
        code="max_length",
        params={"label": field_label(model, field), "limit": limit},
    )


def field_label(model: type[models.Model], field: str) -> str:
    """A model field's name as a person reads it: "Town or city"."""
    return str(getattr(model._meta.get_field(field), "verbose_name", field)).capitalize()


def email_taken(
    *, tenant: Tenant, email: str, exclude: User | None = None, archived: bool | None = None
) -> bool:
    """Whether another account of the tenant has this email (an archived one, if asked)."""
    others = User.objects.for_tenant(tenant).filter(email__lower=ci(email))
    if archived is not None:
        others = others.filter(is_archived=archived)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def person_details_clean(
    *,
    tenant: Tenant,
    data: Mapping[str, Any],
    existing: User | None = None,
    mobile_required: bool = False,
    taken: Mapping[str, bool] | None = None,
) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
    """Check and normalise a person's details; return (clean values, errors by field).

    The mobile number is mandatory when the caller says so, and always when the tenant uses
    multi-factor verification. ``taken`` (the importer's, for a whole batch: each address
    already in the tenant, casefolded, mapped to whether its account is archived) answers the
    email rule without a query a row.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str, **params: Any) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    for field in PERSON_TEXT_FIELDS:
        clean[field] = " ".join(str(data.get(field) or "").split())
        if has_invisible_characters(clean[field]):
            fail(field, INVISIBLE_CHARACTERS, "invisible", label=field_label(User, field))
            continue
        problem = (
            None if field in ("first_name", "surname") else too_long(User, field, clean[field])
        )
        if problem is not None:
            errors.setdefault(field, []).append(problem)

    title = data.get("title") or ""
    if title not in Title.values:
        fail("title", TITLE_REQUIRED, "required")
    clean["title"] = title

    for field, label, required_message in (
        ("first_name", "First name", FIRST_NAME_REQUIRED),
        ("surname", "Surname", SURNAME_REQUIRED),
    ):
        if field in errors:
            continue
        if not clean[field]:
            fail(field, required_message, "required")
        elif len(clean[field]) > NAME_MAX:
            fail(field, NAME_TOO_LONG, "max_length", label=label)

    # Judged in its one spelling: a full-width or punycode twin of a stored address is taken.
    email = User.objects.normalize_email(str(data.get("email") or ""))
    clean["email"] = email
    if not email:
        fail("email", EMAIL_REQUIRED, "required")
    else:
        email_limit = User._meta.get_field("email").max_length or 254
        try:
            validate_email(email)
        except ValidationError:
            fail("email", EMAIL_INVALID, "invalid")
        else:
            if len(email) > email_limit:
                fail("email", EMAIL_TOO_LONG, "max_length", limit=email_limit)
        if "email" not in errors:
            if taken is not None:
                found = email.casefold() in taken
                archived = found and taken[email.casefold()]
            else:
                found = email_taken(tenant=tenant, email=clean["email"], exclude=existing)
                archived = found and email_taken(
                    tenant=tenant, email=clean["email"], exclude=existing, archived=True
                )
            if found:
                message = EMAIL_TAKEN_ARCHIVED if archived else EMAIL_TAKEN
                fail("email", message, "taken", email=email)

    if not optional_normalised(data, "mobile", normalise_mobile, clean, errors):
        if tenant.mfv_on:
            fail("mobile", MOBILE_REQUIRED_MFV, "required")
        elif mobile_required:
            fail("mobile", MOBILE_REQUIRED, "required")

    gender = data.get("gender") or ""
    if gender and gender not in Gender.values:
        fail("gender", GENDER_INVALID, "invalid")
    clean["gender"] = gender

    optional_normalised(data, "postcode", normalise_postcode, clean, errors)
    return clean, errors


def optional_normalised(
    data: Mapping[str, Any],
    field: str,
    normalise: Callable[[str], str],
    clean: dict[str, Any],
    errors: dict[str, list[ValidationError]],
) -> str:
    """An optional value in its one spelling (blank stays ""), a problem kept at its field;
    returns what was typed, stripped, for the rules that depend on whether there is one."""
    typed = str(data.get(field) or "").strip()
    clean[field] = ""
    if typed:
        try:
            clean[field] = normalise(typed)
        except ValidationError as error:
            errors.setdefault(field, []).append(error)
    return typed


def person_locked(user: User) -> User:
    """``user``'s row as it is now, locked until the caller's transaction ends.

    Every edit of a person reads what it changes here, never from an instance loaded earlier
    (a page's form, an import's whole-file check): whatever happened meanwhile (an activation,
    a cancel, a newer invitation) survives the edit."""
    return User.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=user.pk)


def person_fields_save(person: User, clean: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Copy onto ``person`` (locked) those of ``fields`` whose clean value differs, and save
    just those columns; return their names."""
    changed = [field for field in fields if getattr(person, field) != clean[field]]
    for field in changed:
        setattr(person, field, clean[field])
    if changed:
        person.save(update_fields=changed)
    return changed


INTERFACES_REQUIRED = "Select at least one interface the employer can sign in to."
INVITE_REQUIRED = (
    "Select Yes to send the activation email now, or No to keep the %(noun)s as a Prospect."
)


def interface_access_clean(values: Iterable[str] | None) -> dict[str, bool]:
    """Classic and/or Console, at least one, as the two flags a user or record stores."""
    chosen = {str(value) for value in values or ()}
    if not chosen or not chosen <= set(INTERFACES):
        raise ValidationError(INTERFACES_REQUIRED, code="required")
    return interface_flags(chosen)


def invite_answer_clean(value: Any, *, noun: str) -> bool:
    """The answer to "Would you like to invite this ...?": True (send now) or False (Prospect)."""
    if value not in (True, False):
        raise ValidationError(INVITE_REQUIRED, code="required", params={"noun": noun})
    return value


USERNAME_MAX = User._meta.get_field("username").max_length or 150


def username_default(email: str, *, taken: set[str] | None = None) -> str | None:
    """The email, when it fits a username and nobody uses it as one yet; otherwise none until
    activation. ``taken`` (the importer's, for a batch: usernames in use, casefolded) answers
    without a query."""
    if len(email) > USERNAME_MAX:
        return None
    in_use = email.casefold() in taken if taken is not None else username_taken(email)
    return None if in_use else email


def person_create(
    *,
    tenant: Tenant,
    user_type: str,
    created_by: User | None,
    clean: Mapping[str, Any],
    invite: bool,
    populate: Callable[[User], str],
) -> tuple[User, Invitation | None]:
    """Create a person, invited at once or kept as a Prospect, in one transaction.

    No password is hashed: the account gets an unusable password until its owner activates it.
    ``populate`` adds what the kind of person has (groups, roles, employer records) inside the
    same transaction and returns a few words for the audit trail. When inviting, the email
    leaves after the transaction commits; a provider failure leaves the account in place with a
    failed invitation that can be retried.
    """

    def insert(username: str | None) -> tuple[User, Invitation | None]:
        with transaction.atomic():
            user = User(
                tenant=tenant,
                user_type=user_type,
                status=UserStatus.PROSPECT,
                username=username,
                invitation_count=0,
                **clean,
            )
            user.set_unusable_password()
            user.save()
            extra = populate(user)
            audit_record(
                tenant=tenant,
                actor=created_by,
                subject=user,
                action="user.created",
                summary=f"{user.get_user_type_display()} {user.full_name} created as "
                f"{'Invited' if invite else 'Prospect'}{extra}",
            )
            invitation = None
            if invite:
                invitation = invitation_create(user=user, sent_by=created_by)
                invitation_deliver_after_commit(invitation)
        return user, invitation

    def attempt(username: str | None) -> tuple[User, Invitation | None]:
        try:
            return insert(username)
        except IntegrityError:
            # Another request got there between the checks and the insert.
            if email_taken(tenant=tenant, email=clean["email"]):
                raise ValidationError(
                    {
                        "email": ValidationError(
                            EMAIL_TAKEN, code="taken", params={"email": clean["email"]}
                        )
                    }
                ) from None
            if username is None or not username_taken(username):
                raise
            # The same address was just made someone's username in another tenant: usernames
            # are unique site-wide, so this person chooses one at activation instead. That
            # insert may meet a racer of this tenant in turn, and is judged the same way.
            return attempt(None)

    user, invitation = attempt(username_default(clean["email"]))
    if invitation is not None:
        # Delivery ran after commit and recorded what the provider said.
        invitation.refresh_from_db()
    return user, invitation
