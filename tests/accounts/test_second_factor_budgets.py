"""Budgets of the sign-in second factor: a burst of codes meets the same limit as tries one by
one, and the text-message fallback pauses (never dies) when its texts or tries run out, in
its own words, and starts afresh after a right code."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.factors import two_factor, verification
from accounts.models import SecondFactor, SmsDevice, UserStatus, UserType
from tests.factories import PASSWORD, TenantFactory, UserFactory

from .test_two_factor import SECOND, signed_in


@pytest.fixture
def person(db):
    return UserFactory(
        tenant=TenantFactory(second_factor=SecondFactor.EVERYONE),
        username="eve",
        password=PASSWORD,
        user_type=UserType.EMPLOYER,
        status=UserStatus.FULL,
        mobile="+447400123456",
    )


@pytest.mark.django_db(transaction=True)
def test_forty_wrong_app_codes_at_once_have_only_ten_judged(person):
    TOTPDevice.objects.create(user=person, name="App", confirmed=True)
    start = threading.Barrier(40)
    outcomes: list[str] = []

    def try_a_code():
        request = RequestFactory().post(SECOND)
        request.session = {}
        try:
            start.wait(10)
            two_factor.verify(request, user=person, method="app", typed="000000")
        except ValidationError as error:
            outcomes.append(error.code or "")
        finally:
            connection.close()

    threads = [threading.Thread(target=try_a_code) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("wrong") == two_factor.CHECK_LIMIT
    assert outcomes.count("limited") == 40 - two_factor.CHECK_LIMIT


def texted_code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)


def test_ten_wrong_texted_codes_over_many_sign_ins_pause_the_fallback_for_15_minutes(
    person, sms_outbox
):
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        for _ in range(2):  # two sign-ins, five wrong codes each
            client = signed_in(person)
            for _ in range(5):
                device = SmsDevice.objects.filter(user=person, purpose="sign_in").first()
                if device is not None and device.wait_until:  # past each wait
                    clock.move_to(device.wait_until + timedelta(seconds=1))
                if device is None or not verification._code_valid(device, timezone.now()):
                    client.post(SECOND, {"method": "sms", "action": "send"})
                page = client.post(SECOND, {"method": "sms", "code": "000000"})
        html = page.content.decode()
        assert "Too many wrong codes. Try again in 15 minutes, or use your authenticator" in html
        assert "invitation" not in html
        device = SmsDevice.objects.get(user=person, purpose="sign_in")
        assert not device.locked

        clock.shift(timedelta(minutes=16))
        client = signed_in(person)
        answer = client.post(SECOND, {"method": "sms", "action": "send"})
        assert answer.status_code == 200 and "We sent you a code." in answer.content.decode()
        done = client.post(SECOND, {"method": "sms", "code": texted_code(sms_outbox)})
        assert done.status_code == 302  # signed in: the pause ended by itself


def send_every_text(device, clock) -> None:
    """Use up the fallback's texts, each as soon as the last allows."""
    for _ in range(verification.MAX_SENDS):
        verification.code_send(device=device)
        clock.shift(verification.RESEND_AFTER + timedelta(seconds=1))


def test_texts_run_out_for_a_while_in_the_sign_in_pages_words_and_come_back(person, sms_outbox):
    device = two_factor.sms_device(person)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send_every_text(device, clock)
        with pytest.raises(ValidationError) as refused:
            verification.code_send(device=device)
        assert refused.value.messages[0].startswith("We have sent as many codes as we can for now")
        assert "invitation" not in refused.value.messages[0]

        clock.shift(verification.SIGN_IN_WINDOW)
        verification.code_send(device=device)  # a new window
        assert len(sms_outbox) == verification.MAX_SENDS + 1


def test_a_right_code_gives_the_fallback_its_whole_budget_back(person, sms_outbox):
    device = two_factor.sms_device(person)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send_every_text(device, clock)
        for _ in range(3):
            with pytest.raises(ValidationError):
                verification.code_check(device=device, typed="000000")
        verification.code_check(device=device, typed=texted_code(sms_outbox))
        device.refresh_from_db()
        assert device.sends == 0 and device.failures == 0
        verification.code_send(device=device)


def test_an_activation_link_still_locks_after_ten_wrong_codes(person, sms_outbox):
    """Activation keeps its own rule: a new invitation is the way on."""
    device = verification.device_for(person)
    verification.code_send(device=device)
    SmsDevice.objects.filter(pk=device.pk).update(failures=verification.LOCK_AFTER - 1)
    with pytest.raises(ValidationError) as refused:
        verification.code_check(device=device, typed="000000")
    assert refused.value.messages == [verification.LOCKED]
    device.refresh_from_db()
    assert device.locked
