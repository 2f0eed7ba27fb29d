"""The verification-code rules at activation, each on a controlled clock."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.factors import verification
from accounts.factors.sms import SmsFailed
from accounts.models import AuditEvent, SmsDelivery, UserStatus, UserType
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db
START = timezone.now().replace(microsecond=0)


@pytest.fixture
def person():
    tenant = TenantFactory(mfv_employers=True)
    return UserFactory(
        tenant=tenant,
        user_type=UserType.EMPLOYER,
        status=UserStatus.INVITED,
        mobile="+447400123456",
        invitation_count=1,
    )


def sent_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def refused(action) -> str:
    with pytest.raises(ValidationError) as caught:
        action()
    return caught.value.messages[0]


def at(seconds: float):
    return time_machine.travel(START + timedelta(seconds=seconds), tick=False)


def test_a_code_goes_to_the_mobile_and_works_once(person, sms_outbox):
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
    [message] = sms_outbox
    assert message.to == "+447400123456"
    code = sent_code(sms_outbox)
    device.refresh_from_db()
    # Only a keyed hash is kept; the code itself is in no column.
    assert code not in str(list(device.__dict__.values()))
    with at(5):
        checked = verification.code_check(device=device, typed=f"{code[:3]} {code[3:]}")
    assert checked.verified_at is not None and checked.confirmed
    with at(6):
        assert refused(lambda: verification.code_check(device=device, typed=code)) == (
            verification.CODE_NONE
        )


@pytest.mark.parametrize(("seconds", "works"), [(599, True), (600, False)])
def test_a_code_lives_ten_minutes(person, sms_outbox, seconds, works):
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
    code = sent_code(sms_outbox)
    with at(seconds):
        if works:
            verification.code_check(device=device, typed=code)
        else:
            message = refused(lambda: verification.code_check(device=device, typed=code))
            assert message == verification.CODE_EXPIRED


def test_resend_waits_30_seconds_and_sends_the_same_code_while_it_is_valid(person, sms_outbox):
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
    first = sent_code(sms_outbox)
    with at(29):
        message = refused(lambda: verification.code_send(device=device))
    assert message == "You can ask for another code in 1 second."
    with at(30):
        assert verification.code_send(device=device).same_code
    assert sent_code(sms_outbox) == first
    with at(601):  # the first code has expired: a new one
        assert not verification.code_send(device=device).same_code
    assert sent_code(sms_outbox) != first
    with at(605):  # and the new code works, the old one does not
        refused(lambda: verification.code_check(device=device, typed=first))
        verification.code_check(device=device, typed=sent_code(sms_outbox))


def test_at_most_five_sends_per_link(person, sms_outbox):
    device = verification.device_for(person)
    for number in range(5):
        with at(number * 30):
            verification.code_send(device=device)
    with at(1000):
        assert refused(lambda: verification.code_send(device=device)) == (
            verification.TOO_MANY_SENDS
        )
    assert len(sms_outbox) == 5


def test_wrong_codes_wait_60_seconds_after_five_doubling_to_a_cap_then_lock_at_ten(
    person, sms_outbox
):
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
    right = sent_code(sms_outbox)
    wrong = "000000" if right != "000000" else "111111"
    clock = 1.0
    expected_waits = {5: 60, 6: 120, 7: 240, 8: 480, 9: 900}  # 960 is capped at 15 minutes

    for failure in range(1, 10):
        with at(clock):
            assert refused(lambda: verification.code_check(device=device, typed=wrong)) == (
                verification.CODE_WRONG
            )
        wait = expected_waits.get(failure, 0)
        if wait:
            with at(clock + wait - 1):  # still waiting: refused, and not counted
                message = refused(lambda: verification.code_check(device=device, typed=right))
                assert message == "Too many wrong codes. Wait 1 second, then try again."
        clock += wait
        device.refresh_from_db()
        assert device.failures == failure
        # The code itself stays valid through the waits in this test: renew it when needed.
        if clock > 500:
            device.code_issued_at = START + timedelta(seconds=clock)
            device.save(update_fields=["code_issued_at"])

    with at(clock):
        assert refused(lambda: verification.code_check(device=device, typed=wrong)) == (
            verification.LOCKED
        )
        assert refused(lambda: verification.code_check(device=device, typed=right)) == (
            verification.LOCKED
        )
    assert AuditEvent.objects.filter(subject=person, action="verification.locked").count() == 1

    # A new invitation is a new link, with a fresh, unlocked device.
    person.invitation_count += 1
    person.save()
    fresh = verification.device_for(person)
    assert fresh.pk != device.pk and not fresh.locked


def test_codes_are_compared_in_constant_time(person, sms_outbox, monkeypatch):
    calls = []
    real = verification.constant_time_compare

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(verification, "constant_time_compare", spy)
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
        verification.code_check(device=device, typed=sent_code(sms_outbox))
    [(typed_hash, stored_hash)] = calls
    assert typed_hash == stored_hash and len(stored_hash) == 64


@pytest.mark.parametrize("mobile", ["", "01234 567890", "not a number"])
def test_no_valid_mobile_sends_nothing_and_says_whom_to_ask(person, sms_outbox, mobile):
    person.mobile = mobile
    person.save()
    device = verification.device_for(person)
    assert refused(lambda: verification.code_send(device=device)) == verification.NO_MOBILE
    assert sms_outbox == []


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "１２３４５６", ""])
def test_a_code_that_is_not_six_digits_is_refused_without_counting(person, sms_outbox, typed):
    device = verification.device_for(person)
    with at(0):
        verification.code_send(device=device)
        assert refused(lambda: verification.code_check(device=device, typed=typed)) == (
            verification.CODE_FORMAT
        )
    device.refresh_from_db()
    assert device.failures == 0


def test_a_failed_send_counts_for_nothing_and_can_be_retried_at_once(person, settings):
    settings.SMS_BACKEND = "tests.accounts.test_verification.FailingBackend"
    device = verification.device_for(person)
    with at(0):
        assert refused(lambda: verification.code_send(device=device)) == (
            verification.SEND_FAILED
        )
    device.refresh_from_db()
    assert device.sends == 0 and device.delivery == SmsDelivery.FAILED
    settings.SMS_BACKEND = "accounts.factors.sms.LocmemSmsBackend"
    with at(1):
        verification.code_send(device=device)


class FailingBackend:
    def send(self, message):
        raise SmsFailed("provider down")


