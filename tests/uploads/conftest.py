"""The upload tests' shared fixtures: an administrator who may upload, and a small tenant."""

from .test_employers_upload import admin, world  # noqa: F401
