"""Databases made before a schema change migrate forward without losing anything."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_PROFILE = [
    ("accounts", "0004_invitations_and_audit"),
    ("employers", "0001_initial"),
    ("learners", "0001_initial"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE_PROFILE)
    yield apps
    migrate(latest())


def make_old_data(apps):
    Tenant = apps.get_model("accounts", "Tenant")
    User = apps.get_model("accounts", "User")
    Position = apps.get_model("employers", "Position")
    tenant = Tenant.objects.create(name="Old Provider", slug="old-provider")
    foreman = Position.objects.create(tenant=tenant, title="Site Foreman")

    def person(email, user_type, position=None):
        return User.objects.create(
            tenant=tenant,
            user_type=user_type,
            status="full",
            title="Ms",
            first_name="Old",
            surname="Data",
            email=email,
            username=email,
            password="!",
            position=position,
        )

    return {
        "with_position": person("foreman@example.com", "employer", foreman).pk,
        "without_position": person("plain@example.com", "employer").pk,
        "learner": person("learner@example.com", "learner").pk,
        "foreman": foreman.pk,
    }


def test_positions_move_to_employer_profiles_and_nothing_is_lost(old_apps):
    ids = make_old_data(old_apps)
    new_apps = migrate(latest())
    EmployerProfile = new_apps.get_model("employers", "EmployerProfile")
    User = new_apps.get_model("accounts", "User")
    assert EmployerProfile.objects.get(user_id=ids["with_position"]).position_id == ids["foreman"]
    assert EmployerProfile.objects.get(user_id=ids["without_position"]).position_id is None
    assert not EmployerProfile.objects.filter(user_id=ids["learner"]).exists()
    assert "position" not in {field.name for field in User._meta.get_fields()}
    assert User.objects.count() == 3


def test_going_back_puts_the_position_on_the_user_again(old_apps):
    ids = make_old_data(old_apps)
    migrate(latest())
    back = migrate(BEFORE_PROFILE)
    User = back.get_model("accounts", "User")
    assert User.objects.get(pk=ids["with_position"]).position_id == ids["foreman"]
    assert User.objects.get(pk=ids["without_position"]).position_id is None
