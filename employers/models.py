from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from accounts.models import Tenant
from accounts.tenancy import TenantQuerySet


class GroupKind(models.TextChoices):
    EMPLOYER = "employer", "Employer"
    EMPLOYER_GROUP = "employer_group", "Employer Group"


class EmployerGroup(models.Model):
    """A node of the tenant's employer-group hierarchy.

    ``path`` is the names from the root down, kept by the services that create and rename groups,
    so a search result can show where a group sits without walking its ancestors.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="employer_groups")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(
        max_length=20, choices=GroupKind.choices, default=GroupKind.EMPLOYER_GROUP
    )
    path = models.CharField(max_length=1000, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="employer_groups", blank=True
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                "tenant", "parent", Lower("name"), name="group_name_unique_per_parent_ci"
            )
        ]
        indexes = [models.Index(fields=["tenant", "path"], name="group_tenant_path_idx")]

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args, **kwargs):
        self.depth = self.parent.depth + 1 if self.parent else 0
        self.path = f"{self.parent.path} › {self.name}" if self.parent else self.name
        super().save(*args, **kwargs)


class Position(models.Model):
    """A job title shared by the whole tenant (all employers and administrators see it)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField("position title", max_length=100)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                "tenant", Lower("title"), name="position_title_unique_per_tenant_ci"
            )
        ]
        # The dropdown's first page in title order, without sorting 100,000 titles.
        indexes = [models.Index(fields=["tenant", "title", "id"], name="position_tenant_title_idx")]

    def __str__(self) -> str:
        return self.title


class Organisation(models.Model):
    """An employer organisation: the workplace of learners, with its own employer group."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField("employer name", max_length=200)
    address_line_1 = models.CharField("address line 1", max_length=100, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=100, blank=True)
    town = models.CharField("town or city", max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    reference = models.CharField("employer reference", max_length=40, blank=True)
    group = models.OneToOneField(
        EmployerGroup, on_delete=models.PROTECT, related_name="organisation"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organisations", blank=True
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "tenant", Lower("name"), name="organisation_name_unique_per_tenant_ci"
            )
        ]
        # The Organisations list and the dialog's dropdown in name order, read page by page.
        indexes = [
            models.Index(fields=["tenant", "name", "id"], name="organisation_tenant_name_idx")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        parts = (self.address_line_1, self.address_line_2, self.town, self.postcode)
        return [part for part in parts if part]

    @property
    def address(self) -> str:
        """The address on one line, the same on every page that shows it."""
        return ", ".join(self.address_lines)


class EmployerProfile(models.Model):
    """What only employers have, beside the shared user record (as ``LearnerProfile`` is for
    learners): the user model in ``accounts`` points at nothing above it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_profile"
    )
    position = models.ForeignKey(
        Position, on_delete=models.SET_NULL, null=True, blank=True, related_name="profiles"
    )

    def __str__(self) -> str:
        return f"Employer profile of {self.user}"
