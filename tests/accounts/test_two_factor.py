"""The sign-in second factor: the tenant's policy, setting up an app, backup codes, the text
fallback, the limit on tries, and an administrator's reset."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.factors import two_factor
from accounts.models import AuditEvent, Permission, SecondFactor, UserStatus, UserType
from tests.factories import PASSWORD, AdministratorFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
SETUP = reverse("accounts:two_factor_setup")
SECOND = reverse("accounts:second_factor")


def app_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the person's authenticator app shows (``steps_ahead`` 30-second steps later)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead)
    return f"{code:06d}"


def signed_in(person, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:sign_in"), {"username": person.username, "password": password}
    )
    assert response.status_code == 302, "the password step passed"
    return client


@pytest.fixture
def tenant():
    return TenantFactory(second_factor=SecondFactor.EVERYONE)


@pytest.fixture
def person(tenant):
    return UserFactory(
        tenant=tenant,
        username="eve",
        password=PASSWORD,
        user_type=UserType.EMPLOYER,
        status=UserStatus.FULL,
        mobile="+447400123456",
    )


def set_up_app(client, person) -> tuple[TOTPDevice, list[str]]:
    assert 'role="img"' in client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    page = client.post(SETUP, {"action": "confirm", "code": app_code(device)}).content.decode()
    codes = re.findall(r"<li>(\d{8})</li>", page)
    device.refresh_from_db()
    return device, codes


@pytest.mark.parametrize(
    ("policy", "kind", "asked"),
    [
        (SecondFactor.OFF, UserType.ADMINISTRATOR, False),
        (SecondFactor.ADMINISTRATORS, UserType.ADMINISTRATOR, True),
        (SecondFactor.ADMINISTRATORS, UserType.EMPLOYER, False),
        (SecondFactor.EVERYONE, UserType.LEARNER, True),
        (SecondFactor.OPTIONAL, UserType.EMPLOYER, False),  # until they turn it on
    ],
)
def test_the_tenants_policy_decides_who_is_asked(policy, kind, asked):
    tenant = TenantFactory(second_factor=policy)
    person = UserFactory(
        tenant=tenant, username="p", password=PASSWORD, user_type=kind, status=UserStatus.FULL
    )
    client = signed_in(person)
    response = client.get("/")
    if asked:
        assert response.status_code == 302 and response.url == SETUP
    else:
        assert response.status_code == 200


def test_set_up_the_app_get_ten_backup_codes_then_every_sign_in_asks_for_a_code(person):
    client = signed_in(person)
    assert client.get(reverse("accounts:user_list")).url == SETUP  # every page sends you there
    page = client.get(SETUP).content.decode()
    assert "+447400123456" not in page
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    response = client.post(SETUP, {"action": "confirm", "code": "000000"})
    assert response.status_code == 422
    assert two_factor.APP_CODE_WRONG in response.content.decode()

    page = client.post(SETUP, {"action": "confirm", "code": app_code(device)}).content.decode()
    codes = re.findall(r"<li>(\d{8})</li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200  # this session is verified
    assert AuditEvent.objects.filter(subject=person, action="two_factor.app_added").exists()

    again = signed_in(person)
    assert again.get("/").url == SECOND
    response = again.post(SECOND, {"method": "app", "code": "000000"})
    assert response.status_code == 422
    device.refresh_from_db()
    response = again.post(SECOND, {"method": "app", "code": app_code(device, steps_ahead=1)})
    assert response.status_code == 302 and response.url == "/"
    assert again.get("/").status_code == 200


def test_a_backup_code_works_once(person):
    _, codes = set_up_app(signed_in(person), person)
    first = signed_in(person)
    response = first.post(SECOND, {"method": "backup", "code": codes[0]})
    assert response.status_code == 302
    second = signed_in(person)
    response = second.post(SECOND, {"method": "backup", "code": codes[0]})
    assert response.status_code == 422
    assert "has been used already" in response.content.decode()
    assert second.post(SECOND, {"method": "backup", "code": codes[1]}).status_code == 302


def test_a_text_message_is_the_fallback(person, sms_outbox):
    set_up_app(signed_in(person), person)
    client = signed_in(person)
    page = client.get(SECOND, {"method": "sms"}).content.decode()
    assert "ending in 56" in page and "+447400123456" not in page
    client.post(SECOND, {"method": "sms", "action": "send"})
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
    assert client.post(SECOND, {"method": "sms", "code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_ten_wrong_tries_of_any_kind_pause_the_second_factor(person):
    device, _ = set_up_app(signed_in(person), person)
    client = signed_in(person)
    for method in ("app", "backup") * 5:
        client.post(SECOND, {"method": method, "code": "00000000"[: 6 if method == "app" else 8]})
    response = client.post(SECOND, {"method": "app", "code": app_code(device, steps_ahead=1)})
    assert response.status_code == 422
    assert two_factor.TOO_MANY_TRIES in response.content.decode()


def test_an_administrator_resets_a_persons_devices_and_it_is_audited(client, person):
    set_up_app(signed_in(person), person)
    admin = AdministratorFactory(tenant=person.tenant, roles=[Permission.CREATE_USERS])
    # The administrator is asked for a second factor too (everyone): set theirs up first.
    admin.username = "ada"
    admin.set_password(PASSWORD)
    admin.save()
    client = signed_in(admin)
    set_up_app(client, admin)
    url = reverse("accounts:devices_reset", args=[person.pk])
    assert "Reset sign-in devices" in client.get(url).content.decode()
    client.post(url)
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(subject=person, action="two_factor.reset").exists()
    assert signed_in(person).get("/").url == SETUP  # set up again at the next sign-in


def test_the_pause_after_ten_wrong_tries_lifts_after_15_minutes(person):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    device, _ = set_up_app(signed_in(person), person)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = signed_in(person)
        for _ in range(10):
            client.post(SECOND, {"method": "app", "code": "000000"})
        response = client.post(SECOND, {"method": "app", "code": app_code(device, 1)})
        assert two_factor.TOO_MANY_TRIES in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        response = client.post(SECOND, {"method": "app", "code": app_code(device, 1)})
        assert two_factor.TOO_MANY_TRIES in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        device.refresh_from_db()
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"
        assert client.post(SECOND, {"method": "app", "code": code}).status_code == 302


def test_where_optional_a_person_turns_codes_on_and_off_again():
    tenant = TenantFactory(second_factor=SecondFactor.OPTIONAL)
    person = UserFactory(tenant=tenant, username="opt", password=PASSWORD, status=UserStatus.FULL)
    client = signed_in(person)
    assert client.get("/").status_code == 200  # not asked until they turn it on
    set_up_app(client, person)
    assert signed_in(person).get("/").url == SECOND  # now every sign-in asks
    response = client.post(SETUP, {"action": "turn_off"}, follow=True)
    assert "Sign-in codes are off" in response.content.decode()
    assert signed_in(person).get("/").status_code == 200


def test_where_required_the_codes_cannot_be_turned_off(person):
    client = signed_in(person)
    set_up_app(client, person)
    response = client.post(SETUP, {"action": "turn_off"}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()
