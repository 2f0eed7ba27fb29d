"""Text messages go through one interface: files in development, an outbox in tests."""

from accounts.factors import sms


def test_development_texts_are_files_a_person_can_open(tmp_path, settings):
    settings.SMS_BACKEND = "accounts.factors.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "var" / "sms"
    receipt = sms.send_sms(to="+447400123456", body="Your Aptem verification code is 123456")
    [written] = (tmp_path / "var" / "sms").glob("*.txt")
    assert written.name.endswith("-447400123456.txt")
    assert written.read_text() == "To: +447400123456\n\nYour Aptem verification code is 123456\n"
    assert receipt.provider_id == f"file:{written.name}"


def test_tests_read_what_was_sent_from_the_outbox(sms_outbox):
    sms.send_sms(to="+447400123456", body="one")
    sms.send_sms(to="+447400654321", body="two")
    assert [(m.to, m.body) for m in sms_outbox] == [
        ("+447400123456", "one"),
        ("+447400654321", "two"),
    ]
