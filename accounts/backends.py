from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .lookups import ci
from .models import User, UserStatus


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with a username or an email address, ignoring case.

    Only Full users who are active and not archived can sign in. Every other case (no such
    person, a Prospect, an Invited user who has not activated, Expired, Cancelled, a wrong
    password) returns None after the same password-hashing work, so neither the answer nor its
    timing tells a stranger that an account exists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        identifier = username.strip().lower()
        candidates = list(
            User.objects.filter(
                Q(username__lower=ci(identifier), username__isnull=False)
                | Q(email__lower=ci(identifier))
            )
            .filter(status=UserStatus.FULL, is_active=True, is_archived=False)
            .select_related("tenant")[:5]
        )
        # A username match wins over an email match: usernames are unique, emails only per tenant.
        candidates.sort(key=lambda u: (u.username or "").lower() != identifier)
        for user in candidates:
            if user.has_usable_password() and user.check_password(password):
                return user
        if not any(user.has_usable_password() for user in candidates):
            # Spend the time a real check would, as Django's ModelBackend does.
            User().set_password(password)
        return None

    def user_can_authenticate(self, user) -> bool:
        return (
            super().user_can_authenticate(user)
            and user.status == UserStatus.FULL
            and not user.is_archived
        )

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("tenant").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
