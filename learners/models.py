from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import InterfaceAccess, Tenant
from accounts.tenancy import TenantQuerySet
from employers.models import Organisation


class LearnerProfile(models.Model):
    """What only learners have, beside the shared user record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    national_insurance_number = models.CharField(
        "National Insurance number", max_length=9, blank=True
    )

    def __str__(self) -> str:
        return f"Learner profile of {self.user}"

    @property
    def national_insurance_display(self) -> str:
        """AB123456C as people read it: AB 12 34 56 C."""
        n = self.national_insurance_number
        return f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}" if len(n) == 9 else n


class EmployerRecord(InterfaceAccess):
    """A learner's employer: the organisation, who manages and mentors them there, and access."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="employer_records")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_records"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="learner_records"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_records",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_records",
    )
    main_aim_reference = models.CharField("Main Aim Registration Number", max_length=30, blank=True)
    is_primary = models.BooleanField("primary employer", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The learner's last day with this employer. An ended record stays, as history: it is
    # never primary, and its manager and mentor no longer see the learner.
    ended_on = models.DateField("end date", null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(is_primary=True),
                name="one_primary_employer_per_learner",
            ),
            # One current record per employer; after it ends the learner may return there.
            models.UniqueConstraint(
                fields=["learner", "organisation"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_record_per_learner_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(is_primary=False),
                name="an_ended_record_is_never_primary",
            ),
        ]
        indexes = [
            # A manager's or mentor's current learners, newest first, a page at a time.
            models.Index(
                fields=["manager", "-created_at", "-id"],
                condition=models.Q(ended_on__isnull=True),
                name="record_manager_idx",
            ),
            models.Index(
                fields=["mentor", "-created_at", "-id"],
                condition=models.Q(ended_on__isnull=True),
                name="record_mentor_idx",
            ),
        ]

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def __str__(self) -> str:
        return f"{self.learner} at {self.organisation}"
