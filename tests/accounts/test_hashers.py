"""Argon2id for new passwords; an old PBKDF2 hash still signs in and is upgraded on the way."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password

from accounts.models import UserStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "plum orchard lantern 42"
PRODUCT_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


@pytest.fixture
def product_hashers(settings):
    from aptem.settings import base

    assert base.PASSWORD_HASHERS == PRODUCT_HASHERS  # the test speaks of the real setting
    settings.PASSWORD_HASHERS = PRODUCT_HASHERS


def test_a_pbkdf2_password_signs_in_and_is_rehashed_with_argon2(product_hashers):
    person = UserFactory(status=UserStatus.FULL, username="old-hash")
    person.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    person.save()
    assert authenticate(username="old-hash", password=PASSWORD) == person
    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$")
    assert authenticate(username="old-hash", password=PASSWORD) == person


def test_a_wrong_password_against_an_old_hash_changes_nothing(product_hashers):
    person = UserFactory(status=UserStatus.FULL, username="old-hash")
    person.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    person.save()
    assert authenticate(username="old-hash", password="not the password") is None
    person.refresh_from_db()
    assert person.password.startswith("pbkdf2_sha256$")
