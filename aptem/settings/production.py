"""Production: every secret from the environment, HTTPS only, an anymail provider for email."""

import os

from .base import *  # noqa: F403
from .base import (
    ANYMAIL,
    EMAIL_PROVIDER,
    MIDDLEWARE,
    STORAGES,
    TASKS_BACKENDS,
    env_bool,
    require_secret_key,
)

DEBUG = False
require_secret_key()

if not EMAIL_PROVIDER and not os.environ.get("ALLOW_FILE_EMAIL"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMAIL_PROVIDER must name a django-anymail provider in production.")
if EMAIL_PROVIDER and not ANYMAIL.get("WEBHOOK_SECRET"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "ANYMAIL_WEBHOOK_SECRET must be set (as 'user:password', also given to the email "
        "provider's tracking webhook): delivery and bounce events are refused without it."
    )

# No SMS provider: texts are refused (and say so), never written to files on a server.
if not os.environ.get("SMS_PROVIDER"):
    SMS_BACKEND = "accounts.factors.sms.DisabledSmsBackend"

LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")  # noqa: F405

# WhiteNoise serves the hashed, compressed static files right after SecurityMiddleware.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_security],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_security:],
]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# A queue and a worker (`python manage.py worker`) unless TASKS_BACKEND says otherwise.
TASKS = {
    "default": {"BACKEND": TASKS_BACKENDS[os.environ.get("TASKS_BACKEND", "database")]},
}
