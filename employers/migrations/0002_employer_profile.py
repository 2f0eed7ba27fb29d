"""Employers' position moves from accounts.User to an employer profile in this app.

Every employer user gets a profile holding the position they had, so nothing is lost; the
reverse copies each position back. accounts 0005 then removes ``User.position``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 5_000


def copy_positions_to_profiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmployerProfile = apps.get_model("employers", "EmployerProfile")
    employers = (
        User.objects.using(schema_editor.connection.alias)
        .filter(user_type="employer")
        .order_by("pk")
        .values_list("pk", "position_id")
    )
    batch = []
    for user_id, position_id in employers.iterator(chunk_size=BATCH):
        batch.append(EmployerProfile(user_id=user_id, position_id=position_id))
        if len(batch) >= BATCH:
            EmployerProfile.objects.bulk_create(batch)
            batch = []
    EmployerProfile.objects.bulk_create(batch)


def copy_positions_back_to_users(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmployerProfile = apps.get_model("employers", "EmployerProfile")
    profiles = EmployerProfile.objects.using(schema_editor.connection.alias).filter(
        position__isnull=False
    )
    for user_id, position_id in profiles.values_list("user_id", "position_id").iterator():
        User.objects.filter(pk=user_id).update(position_id=position_id)


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0001_initial"),
        ("accounts", "0004_invitations_and_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmployerProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="profiles",
                        to="employers.position",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="employer_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_positions_to_profiles, copy_positions_back_to_users),
    ]
