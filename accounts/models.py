import unicodedata
from datetime import date

import idna
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device

# Django loads an app's models from its models module: importing the invitations' models here
# registers them with accounts (their table and migrations have always been accounts'). Import
# them from accounts.invitations.models; this name is only the registration.
from .invitations import models as invitation_models  # noqa: F401
from .tenancy import TenantQuerySet


def domain_to_ascii(domain: str) -> str | None:
    """The domain as the DNS knows it (its A-label, ``xn--…``), or None if it is no domain.

    UTS 46 non-transitional processing, as browsers and mail servers resolve names today.
    Python's own ``idna`` codec is IDNA 2003, which rewrites ``straße.de`` as ``strasse.de``
    and a Greek final sigma as a plain one: different registered domains, someone else's
    mailbox."""
    try:
        return idna.encode(domain, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None


def mail_address(email: str) -> str:
    """``email`` as a mail server is given it: the domain in ASCII, so nothing on the way
    (Django's own header encoding uses the IDNA 2003 codec) can turn it into another one."""
    local, at, domain = email.rpartition("@")
    ascii_domain = domain_to_ascii(domain) if at else None
    return f"{local}@{ascii_domain}" if ascii_domain else email


class SecondFactor(models.TextChoices):
    OFF = "off", "Off"
    OPTIONAL = "optional", "Optional: each person may turn it on"
    ADMINISTRATORS = "administrators", "Required for administrators"
    EVERYONE = "everyone", "Required for everyone"


# How long a tenant's activation links may live, in days: the form, the service and the
# database constraint all read these.
LINK_DAYS_MIN, LINK_DAYS_MAX = 1, 90


class Tenant(models.Model):
    """A training provider. Every user, role and record belongs to exactly one tenant."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    mfv_employers = models.BooleanField(
        "require multi-factor verification for employer logins",
        default=False,
        help_text="Employers confirm a code sent by SMS before they choose a password.",
    )
    mfv_learners = models.BooleanField(
        "require multi-factor verification for learner logins",
        default=False,
        db_default=False,
        help_text="Learners confirm a code sent by SMS before they choose a password.",
    )
    second_factor = models.CharField(
        "second factor at sign-in",
        max_length=20,
        choices=SecondFactor.choices,
        default=SecondFactor.OFF,
        db_default=SecondFactor.OFF,
    )
    activation_link_days = models.PositiveSmallIntegerField(
        "activation link lifetime (days)", default=7
    )
    access_ends_on = models.DateField(
        "access end date",
        null=True,
        blank=True,
        help_text="The subscription's end: after this day nobody here can sign in (an account's "
        "own end date, when set, counts instead). Extend it to restore access.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    activation_link_days__gte=LINK_DAYS_MIN, activation_link_days__lte=LINK_DAYS_MAX
                ),
                name="tenant_activation_days_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mfv_on(self) -> bool:
        """Multi-factor verification is on for someone here: then every person needs a mobile
        number, whoever they are, on every form, upload and API call (the seed's rule)."""
        return self.mfv_employers or self.mfv_learners


class UserType(models.TextChoices):
    LEARNER = "learner", "Learner"
    EMPLOYER = "employer", "Employer"
    REFERRER = "referrer", "Referrer"
    ADMINISTRATOR = "administrator", "Administrator"


class UserStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    INVITED = "invited", "Invited"
    FULL = "full", "Full user"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


# One colour per status, wherever a status is shown (Bootstrap's text-bg-*); any other is dark.
STATUS_COLOURS = {
    UserStatus.FULL: "success",
    UserStatus.INVITED: "primary",
    UserStatus.PROSPECT: "secondary",
}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "dark")


# The Users list shows these unless the administrator asks for others.
DEFAULT_LIST_STATUSES = (UserStatus.FULL, UserStatus.INVITED, UserStatus.PROSPECT)


class Title(models.TextChoices):
    MR = "Mr", "Mr"
    MRS = "Mrs", "Mrs"
    MISS = "Miss", "Miss"
    MS = "Ms", "Ms"
    MX = "Mx", "Mx"
    DR = "Dr", "Dr"
    PROF = "Prof", "Prof"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_SAID = "not_said", "Prefer not to say"


class Permission(models.TextChoices):
    """What a tenant role can grant. Stored by code, so labels can change freely."""

    CREATE_USERS = "create_users", "Create Users"
    CREATE_ADMINS = "create_admins", "Create Admins"
    CREATE_GROUPS = "create_groups", "Create Groups"
    BULK_UPLOAD = "bulk_upload", "Bulk Upload"
    MANAGE_ORGANISATIONS = "manage_organisations", "Manage Organisations"
    VIEW_ALL_GROUPS = "view_all_groups", "View all groups"
    EMPLOYER_VIEW_ALL_IN_GROUPS = (
        "employer_view_all_in_groups",
        "Employer – View All in Assigned Group(s)",
    )
    LEARNERS_PROGRESS = "learners_progress", "Learners Progress"
    MANAGE_SECURITY = "manage_security", "Manage security settings"
    MANAGE_API_TOKENS = "manage_api_tokens", "Manage API tokens"


class RoleAudience(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrators"
    EMPLOYER = "employer", "Employers"


class Role(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    audience = models.CharField(max_length=20, choices=RoleAudience.choices)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("tenant", Lower("name"), name="role_name_unique_per_tenant_ci")
        ]
        # Add Employer's Available roles: one page in name order.
        indexes = [
            models.Index(fields=["tenant", "audience", "name", "id"], name="role_tenant_name_idx")
        ]

    def __str__(self) -> str:
        return self.name


class RolePermission(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    permission = models.CharField(max_length=40, choices=Permission.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.get_permission_display()}"


INTERFACES = {"classic": "Classic", "console": "Console"}  # code: label, the one list of them
INTERFACE_CHOICES = list(INTERFACES.items())  # as the forms and the API offer them


class InterfaceAccess(models.Model):
    """Which interfaces a person (or a learner's employer record) can sign in to."""

    interface_classic = models.BooleanField("Classic", default=False)
    interface_console = models.BooleanField("Console", default=False)

    class Meta:
        abstract = True

    @property
    def interface_codes(self) -> list[str]:
        """As forms post them: a subset of ``["classic", "console"]``."""
        return [code for code in INTERFACES if getattr(self, f"interface_{code}")]

    @property
    def interfaces(self) -> list[str]:
        """As people read them: ``["Classic", "Console"]``."""
        return [INTERFACES[code] for code in self.interface_codes]


def interface_flags(codes: "list[str] | set[str]") -> dict[str, bool]:
    """The two stored flags for a set of interface codes."""
    return {f"interface_{code}": code in codes for code in INTERFACES}


# The statuses that show as Expired once the last day of access has passed: a Prospect or an
# Invited person past it can no more activate than a Full user can sign in.
EXPIRING_STATUSES = (UserStatus.PROSPECT, UserStatus.INVITED, UserStatus.FULL)


def shown_status_of(status: str, access_end: date | None, today: date) -> str:
    """A status as people see it: a Prospect, Invited or Full person past the last day of
    access (their own, else the tenant's) shows as Expired, everywhere (list, profile, API).
    For a list read as plain values, without a model a row."""
    if status in EXPIRING_STATUSES and access_end is not None and access_end < today:
        return UserStatus.EXPIRED
    return status


class UserManager(BaseUserManager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Django's user manager with the tenancy layer's ``for_tenant``."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """One spelling per mailbox: compatibility forms folded (NFKC: full-width letters,
        ligatures), and the domain lowercased in its Unicode form whether it was typed in
        Unicode or as punycode (IDNA): a full-width ``dupe.example`` is ``dupe.example``, and
        ``xn--bcher-kva.example`` is ``bücher.example``."""
        email = unicodedata.normalize("NFKC", (email or "").strip())
        local, at, domain = email.rpartition("@")
        if not at:
            return email
        domain = domain.lower()
        ascii_domain = domain_to_ascii(domain)
        if ascii_domain is not None:  # otherwise left as typed, for the validator to refuse
            domain = idna.decode(ascii_domain)
        return f"{local}@{domain}"

    def create_user(self, username, email, password=None, **fields):
        user = self.model(username=username, email=self.normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("user_type", UserType.ADMINISTRATOR)
        fields.setdefault("status", UserStatus.FULL)
        if isinstance(fields.get("tenant"), int):
            fields["tenant"] = Tenant.objects.get(pk=fields["tenant"])
        return self.create_user(username, email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin, InterfaceAccess):
    """A person in one tenant: learner, employer, referrer or administrator."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="users")
    user_type = models.CharField("type", max_length=20, choices=UserType.choices)
    status = models.CharField(
        max_length=20, choices=UserStatus.choices, default=UserStatus.PROSPECT
    )
    is_archived = models.BooleanField("archived", default=False)

    title = models.CharField(max_length=10, choices=Title.choices)
    first_name = models.CharField("first name", max_length=50)
    surname = models.CharField(max_length=50)
    email = models.EmailField("email", max_length=254)
    # Optional while Prospect; unique ignoring case across the whole site because people sign in
    # with it before we know their tenant.
    username = models.CharField(max_length=150, unique=True, null=True, blank=True)
    mobile = models.CharField("mobile number", max_length=20, blank=True, help_text="E.164")
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)

    address_line_1 = models.CharField("address line 1", max_length=100, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=100, blank=True)
    address_line_3 = models.CharField("address line 3", max_length=100, blank=True)
    town = models.CharField("town or city", max_length=60, blank=True)
    county = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    roles = models.ManyToManyField(Role, related_name="users", blank=True)
    # Goes up with every invitation sent; part of the activation token, so older links die.
    invitation_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    access_ends_on = models.DateField(
        "access end date",
        null=True,
        blank=True,
        help_text="After this day the account shows Expired and cannot sign in; empty: the "
        "tenant's access end date applies.",
    )
    # Raised to end every session the person has (cancelling does): see _get_session_auth_hash.

    session_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "Django admin access", default=False, help_text="Platform operators only."
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "tenant", "first_name", "surname"]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "tenant", Lower("email"), name="user_email_unique_per_tenant_ci"
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ci",
                condition=models.Q(username__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="user_tenant_created_idx"),
            # The Users list sorted by name or by email (keyset pages seek on these).
            models.Index(
                fields=["tenant", "surname", "first_name", "id"], name="user_tenant_name_idx"
            ),
            models.Index(fields=["tenant", "email", "id"], name="user_tenant_email_idx"),
            # The few archived accounts, when the Users list asks for them.
            models.Index(
                fields=["tenant", "-created_at", "-id"],
                condition=models.Q(is_archived=True),
                name="user_tenant_archived_idx",
            ),
            # Who still needs a mobile number once multi-factor verification is on.
            models.Index(
                fields=["tenant", "-created_at", "-id"],
                condition=models.Q(mobile="", is_archived=False),
                name="user_missing_mobile_idx",
            ),
            models.Index(
                fields=["tenant", "status", "-created_at", "-id"], name="user_tenant_status_idx"
            ),
            models.Index(Lower("email"), name="user_email_lower_idx"),
            models.Index(
                fields=["tenant", "status", "-invited_at", "-id"], name="user_tenant_invited_idx"
            ),
            # Manager and mentor pickers: an organisation's staff by name, a page at a time.
            models.Index(
                fields=["tenant", "user_type", "surname", "first_name", "id"],
                name="user_tenant_type_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        # Every path (forms, services, the Django admin, imports) stores one spelling per
        # mailbox, so the per-tenant uniqueness on LOWER(email) also holds for look-alikes.
        self.email = UserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django signs each session with a hash of the password, so a new password ends
        every other session; the epoch does the same when an account is cancelled (a session
        must not come back to life when the account is reactivated). Epoch 0 signs exactly as
        Django does, so no session ended when this was introduced."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "aptem.accounts.User.session_auth_hash"
        value = f"{self.password}|{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def access_end(self):
        """The last day this person may sign in: their own date, else the tenant's."""
        return self.access_ends_on or self.tenant.access_ends_on

    @property
    def access_expired(self) -> bool:
        end = self.access_end
        return end is not None and end < timezone.localdate()

    def acting_refusal(self, *, activating: bool = False) -> str | None:
        """Why this person may not act now, or None: the one rule for signing in, keeping a
        session, an API token's use, a password reset and (``activating``) an activation.

        The reasons: "inactive" (Active unticked), "archived", the status when it is not Full
        (Invited, when activating), and "expired" (past their access end date, or the
        tenant's)."""
        if not self.is_active:
            return "inactive"
        if self.is_archived:
            return "archived"
        if self.status != (UserStatus.INVITED if activating else UserStatus.FULL):
            return str(self.status)
        if self.access_expired:
            return "expired"
        return None

    @property
    def may_act(self) -> bool:
        """Whether this Full user may sign in and act now (see ``acting_refusal``)."""
        return self.acting_refusal() is None

    @property
    def shown_status(self) -> str:
        """The status as people see it: a Full user past their access end date is Expired."""
        return shown_status_of(self.status, self.access_end, timezone.localdate())

    def get_shown_status_display(self) -> str:
        return UserStatus(self.shown_status).label

    @property
    def shown_status_colour(self) -> str:
        return status_colour(self.shown_status)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def address_lines(self) -> list[str]:
        parts = (
            self.address_line_1,
            self.address_line_2,
            self.address_line_3,
            self.town,
            self.county,
            self.postcode,
        )
        return [part for part in parts if part]

    @property
    def address(self) -> str:
        return ", ".join(self.address_lines)

    @property
    def is_administrator(self) -> bool:
        return self.user_type == UserType.ADMINISTRATOR

    def tenant_permissions(self) -> frozenset[str]:
        """The permission codes this user's roles grant, read once per request."""
        cached = getattr(self, "_tenant_permissions", None)
        if cached is None:
            cached = frozenset(
                RolePermission.objects.filter(role__users=self).values_list("permission", flat=True)
            )
            self._tenant_permissions = cached
        return cached

    def has_tenant_permission(self, permission: str) -> bool:
        return permission in self.tenant_permissions()

    @property
    def can_create_users(self) -> bool:
        return self.is_administrator and self.has_tenant_permission(Permission.CREATE_USERS)


class AuditEvent(models.Model):
    """Who did what to whom, and when. Never holds a password, token or code."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_actions"
    )
    subject = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=50)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-created_at"], name="audit_subject_idx"),
            # A tenant's own history of one kind (security settings, say), newest first.
            models.Index(
                fields=["tenant", "action", "-created_at"], name="audit_tenant_action_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class SmsDelivery(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class SmsPurpose(models.TextChoices):
    ACTIVATION = "activation", "Activation"
    SIGN_IN = "sign_in", "Sign-in"


class SmsDevice(Device):
    """A person's mobile as a django-otp device: for ``ACTIVATION``, the verification code of
    their current activation link (``sequence`` is the invitation it belongs to; a new
    invitation starts afresh, unlocked); for ``SIGN_IN`` (sequence 0), the second factor's
    text-message fallback, until an administrator resets the person's devices.

    The code is never stored: ``code_hash`` verifies it, and ``nonce`` (random, from
    ``secrets``) lets the server derive the same code again with its secret key, to resend it
    while it is valid. The database alone reveals neither. Rules: ``accounts.factors.verification``.
    """

    purpose = models.CharField(
        max_length=20,
        choices=SmsPurpose.choices,
        default=SmsPurpose.ACTIVATION,
        db_default=SmsPurpose.ACTIVATION,
    )
    sequence = models.PositiveIntegerField(default=0)
    nonce = models.CharField(max_length=64, blank=True)
    code_hash = models.CharField(max_length=128, blank=True)
    code_issued_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    sends = models.PositiveSmallIntegerField(default=0)
    failures = models.PositiveSmallIntegerField(default=0)
    wait_until = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    delivery = models.CharField(max_length=20, choices=SmsDelivery.choices, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="What the provider said when the last text failed (its code and message).",
    )

    class Meta(Device.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "sequence"], name="sms_device_per_link"
            )
        ]
