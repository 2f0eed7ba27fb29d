import unicodedata

from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, F, Q, Value, When

from .lookups import ci
from .models import User, UserStatus


def sign_in_account(identifier: str) -> User | None:
    """The one account a typed username or email signs in to, ignoring case: the account with
    that username, else the most recently used account with that email (an email is unique
    only within a tenant; a person with accounts in two tenants signs in to the other by its
    username). Only those who may act can sign in (``User.acting_refusal``); the query leaves
    out whom it can, the backend judges the rest."""
    identifier = unicodedata.normalize("NFKC", identifier or "").strip()  # as stored
    if "@" in identifier:
        identifier = User.objects.normalize_email(identifier)
    identifier = identifier.lower()
    if not identifier:
        return None
    return (
        User.objects.filter(
            Q(username__lower=ci(identifier), username__isnull=False)
            | Q(email__lower=ci(identifier))
        )
        .filter(status=UserStatus.FULL, is_active=True, is_archived=False)
        .annotate(
            by_email=Case(When(username__lower=ci(identifier), then=Value(0)), default=Value(1))
        )
        .order_by("by_email", F("last_login").desc(nulls_last=True), "pk")
        .select_related("tenant")
        .first()
    )


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with a username or an email address, ignoring case.

    Every attempt costs exactly one password hash, whatever matches: no such person, a
    Prospect, an Invited user who has not activated, Expired, Cancelled, one account or an email
    shared by accounts in several tenants. So neither the answer nor its timing tells a
    stranger that an account (or a second one) exists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = sign_in_account(username)
        if user is None or not user.has_usable_password() or not user.may_act:
            # Spend the time a real check would, as Django's ModelBackend does.
            User().set_password(password)
            return None
        return user if user.check_password(password) else None

    def user_can_authenticate(self, user) -> bool:
        return user.may_act  # otherwise every session of theirs ends at its next request

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("tenant").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
