from django.db import migrations


class Migration(migrations.Migration):
    """The position now lives on employers.EmployerProfile (copied there by employers 0002)."""

    dependencies = [
        ("accounts", "0004_invitations_and_audit"),
        ("employers", "0002_employer_profile"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="position"),
    ]
