"""Tests: a fast password hasher and the in-memory mailer."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = False
SECRET_KEY = SECRET_KEY or "test-only-key-test-only-key-test-only-key-0123456789"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# anymail's test backend keeps messages in mail.outbox and gives each a provider message id.
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
SMS_BACKEND = "accounts.factors.sms.LocmemSmsBackend"
ANYMAIL = {"WEBHOOK_SECRET": "tracking:webhook-secret-for-tests"}
SITE_URL = "https://aptem.test"

# A file, not :memory:, on SQLite: the browser tests' live server threads then open their own
# connections instead of sharing (and closing) the test thread's.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The provider whose tracking webhook is served (tests post Postmark's events to it).
EMAIL_PROVIDER = "postmark"
