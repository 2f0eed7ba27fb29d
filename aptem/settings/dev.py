"""Development: `make run`. Email goes to files under var/mail/."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-in-production"

VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405  (SQLite file and mail live here)
