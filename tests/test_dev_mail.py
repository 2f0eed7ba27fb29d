from django.core.mail import EmailMultiAlternatives

from accounts.mail import FileEmailBackend


def test_development_email_is_written_to_files_a_person_can_open(tmp_path, settings):
    settings.EMAIL_FILE_PATH = tmp_path
    message = EmailMultiAlternatives(
        subject="Aptem Account Activation",
        body="Open https://aptem.test/activate/abc/def/ to activate.",
        to=["jo@example.com"],
    )
    message.attach_alternative("<p>html</p>", "text/html")
    assert FileEmailBackend().send_messages([message]) == 1
    text = next(tmp_path.glob("*.txt")).read_text()
    assert "To: jo@example.com" in text
    assert "https://aptem.test/activate/abc/def/" in text  # whole, not quoted-printable
    assert b"Subject: Aptem Account Activation" in next(tmp_path.glob("*.eml")).read_bytes()
