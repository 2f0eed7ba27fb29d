"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("APTEM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

# The absolute base of every link that leaves the site (emails, SMS). Never taken from the
# request's Host header, which an attacker controls.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "employers",
    "learners",
    "uploads",
    "api",
    "aptem",
]

# SecurityMiddleware and the CSP first, so every answer carries their headers (the health
# checks too); the health checks next, before sessions and the database.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "aptem.runtime.NoStoreMiddleware",
    "aptem.runtime.HealthCheckMiddleware",
    "aptem.runtime.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.tenancy.TenantMiddleware",
    "accounts.factors.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aptem.urls"
WSGI_APPLICATION = "aptem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'aptem.sqlite3'}",
        # Keep connections between requests (a new one per request cost two thirds of the
        # Users list's throughput), checked before reuse so a restarted database is survived.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server and the worker write to one file. WAL lets readers go on while one
    # writes; IMMEDIATE transactions take the write lock when they begin, so a transaction
    # that read first never fails to upgrade its lock ("database is locked") halfway; and a
    # writer waits up to DATABASE_BUSY_SECONDS for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": int(os.environ.get("DATABASE_BUSY_SECONDS", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Pages read a page of rows: starting parallel workers for them costs more than the work.
    # DATABASE_PARALLEL_WORKERS raises it for reports.
    parallel_workers = int(os.environ.get("DATABASE_PARALLEL_WORKERS", "0"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={parallel_workers}"
    )
# Background tasks (Django 6's API through the django-tasks backport). "immediate" runs a task
# inside the request that enqueues it; "database" queues it for `manage.py worker`.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS[os.environ.get("TASKS_BACKEND", "immediate")],
    }
}

# A task RUNNING longer than this is taken to have lost its worker and is queued again.
TASK_STALL_SECONDS = int(os.environ.get("TASK_STALL_SECONDS", str(15 * 60)))

# Rate limits must be shared by every process: Redis when REDIS_URL is set (production).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# How many reverse proxies stand in front of the app (each appends to X-Forwarded-For); rate
# limits key on the address the outermost one saw. 0: use the connection's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

# Argon2id first (Django's recommendation); the others stay so existing hashes still verify and
# are upgraded to Argon2 at the person's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "aptem.errors.csrf_failure"

# Email: Django's mail API everywhere, so any django-anymail provider works unchanged.
# EMAIL_PROVIDER names an anymail backend ("postmark", "sendgrid", "amazon_ses", ...); every
# environment variable ANYMAIL_<KEY> becomes ANYMAIL["<KEY>"] (for example the API key).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Aptem <no-reply@aptem.local>")
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}


def email_backend_for(provider: str, fallback: str) -> str:
    if not provider:
        return fallback
    if "." in provider:
        return provider
    return f"anymail.backends.{provider}.EmailBackend"


EMAIL_BACKEND = email_backend_for(EMAIL_PROVIDER, "accounts.mail.FileEmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Text messages (verification codes). SMS_PROVIDER: "notify" (GOV.UK Notify), "twilio", or a
# backend's dotted path; without one, development writes files under var/sms/.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "")
SMS_BACKENDS = {
    "notify": "accounts.factors.sms.NotifySmsBackend",
    "twilio": "accounts.factors.sms.TwilioSmsBackend",
    "": "accounts.factors.sms.FileSmsBackend",
}
SMS_BACKEND = SMS_BACKENDS.get(SMS_PROVIDER, SMS_PROVIDER)
SMS_FILE_PATH = VAR_DIR / "sms"
SMS_TIMEOUT_SECONDS = 10
NOTIFY_API_KEY = os.environ.get("NOTIFY_API_KEY", "")
NOTIFY_SMS_TEMPLATE_ID = os.environ.get("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_BASE_URL = os.environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
# The bearer token given to Notify for its delivery-status callback.
NOTIFY_CALLBACK_TOKEN = os.environ.get("NOTIFY_CALLBACK_TOKEN", "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")  # a number, or a Messaging Service SID (MG...)
TWILIO_BASE_URL = os.environ.get("TWILIO_BASE_URL", "https://api.twilio.com")
OTP_TOTP_ISSUER = "Aptem"

# The API (api/): bearer tokens first (so a bad one answers 401), then the browser's session
# with its CSRF check; JSON only; every error as RFC 9457 problem details.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.problems.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Each token's (or signed-in person's) rate, counted in the shared cache.
API_RATE = os.environ.get("API_RATE", "600/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Aptem API",
    "DESCRIPTION": "Users, employers, learners and organisations of one training provider. "
    "Every rule and message is the forms' own.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Two fields called status: a user's and an invitation's, each its own enum.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "accounts.models.UserStatus",
        "InvitationStatusEnum": "accounts.invitations.selectors.LINK_STATES",
    },
}

# Bulk upload limits (Upload users): the file's size and its number of rows.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_MB", "10")) * 1024 * 1024
UPLOAD_MAX_ROWS = int(os.environ.get("UPLOAD_MAX_ROWS", "100000"))
# django-otp's own per-device throttles stay off: accounts.factors.two_factor counts every try,
# on any device, against one capped limit per person (so a typo is not answered "wrong" for the
# right code a second later).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# LOG_FORMAT "json" (production's default): one JSON object per line, each with the id of the
# request it belongs to (also returned in the response's X-Request-ID).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "aptem.runtime.RequestIdFilter"},
        "forbidden": {"()": "aptem.errors.ForbiddenWithoutTraceback"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "forbidden"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


def require_secret_key() -> None:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# Content-Security-Policy (django-csp until Django 6's own): scripts, styles, fonts and images
# from this site only, no inline script or style, no plugins, no framing, forms post here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A load balancer's health checks come over plain HTTP, by address: never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
