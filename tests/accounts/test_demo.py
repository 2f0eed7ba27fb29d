import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Permission, User, UserStatus, UserType
from aptem.demo import DEMO_PASSWORD
from employers.models import EmployerGroup, Organisation, Position

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        EmployerGroup.objects.count(),
        Position.objects.count(),
        Organisation.objects.count(),
    )


@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_covers_every_type_and_status(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    users, groups, positions, organisations = first
    assert 190 <= users <= 230
    assert groups >= 30
    assert positions >= 3 and organisations >= 3
    assert set(User.objects.values_list("user_type", flat=True)) == set(UserType.values)
    assert set(User.objects.values_list("status", flat=True)) == set(UserStatus.values)
    assert EmployerGroup.objects.filter(parent__parent__isnull=False).exists()  # a hierarchy
    assert "admin / admin-demo-password" in capsys.readouterr().out


@override_settings(DEBUG=True)
def test_demo_sign_ins_and_their_permissions(client):
    call_command("seed_demo")
    admin = User.objects.get(username="admin")
    viewer = User.objects.get(username="viewer")
    assert admin.has_tenant_permission(Permission.CREATE_USERS)
    assert not viewer.has_tenant_permission(Permission.CREATE_USERS)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.login(username="viewer", password=DEMO_PASSWORD)
    assert client.login(username="manager", password=DEMO_PASSWORD)
    assert "Your learners" in client.get("/").content.decode()


@override_settings(DEBUG=False)
def test_seed_demo_is_refused_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert User.objects.count() == 0


@override_settings(DEBUG=True)
def test_seed_demo_runs_when_debug_is_on_and_prints_the_sign_ins():
    """The twin of the refusal above."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "admin / " in out.getvalue() and User.objects.filter(username="admin").exists()


@override_settings(DEBUG=True)
def test_every_demo_person_has_the_invitation_history_their_status_implies(client):
    from accounts.invitations.models import Invitation

    call_command("seed_demo")
    invited_at_some_point = User.objects.filter(invited_at__isnull=False)
    assert invited_at_some_point.filter(status=UserStatus.INVITED).exists()
    assert not invited_at_some_point.filter(invitations__isnull=True).exists()
    assert not User.objects.filter(invited_at__isnull=True, invitations__isnull=False).exists()
    call_command("seed_demo")  # a second run adds no second invitation
    assert Invitation.objects.count() == invited_at_some_point.count()
    for person in User.objects.filter(status=UserStatus.INVITED)[:3]:
        assert person.invitations.get().is_current and not person.invitations.get().is_expired
    expired = User.objects.filter(status=UserStatus.EXPIRED).first()
    assert expired.invitations.get().is_expired

    admin = User.objects.get(username="admin")
    client.force_login(admin)
    pending = client.get("/users/invitations/").content.decode()
    assert "Not sent yet" not in pending
    person = User.objects.filter(status=UserStatus.INVITED).first()
    profile = client.get(f"/users/{person.pk}/").content.decode()
    assert "No invitation has been sent" not in profile and "Delivered" in profile
