"""Partnerships (boards), the frameworks they work under, agencies, people and their roles."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from casereviews.core.request_context import request_memo


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Role(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    BUSINESS_MANAGER = "business_manager", "Business manager"
    SUBGROUP_MEMBER = "subgroup_member", "Case review sub-group member"
    CHAIR = "chair", "Independent chair or safeguarding partners' lead"
    LEAD_REVIEWER = "lead_reviewer", "Lead reviewer"
    AGENCY_LEAD = "agency_lead", "Agency lead"
    ANALYST = "analyst", "National analyst"


# Every role but the referrer handles confidential case material and must sign in with a second factor.
STAFF_ROLES = frozenset(Role) - {Role.REFERRER}


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    region = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def framework_code_on(self, day: datetime.date) -> str | None:
        """The framework in force for an incident on `day`: the latest period that started on or before it."""
        period = self.framework_periods.filter(starts_on__lte=day).order_by("-starts_on").first()
        return period.framework_code if period else None


class FrameworkPeriod(models.Model):
    """From `starts_on`, incidents in this partnership are handled under `framework_code`."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="framework_periods")
    framework_code = models.CharField(max_length=50)
    starts_on = models.DateField()

    class Meta:
        ordering = ["partnership", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "starts_on"], name="one_framework_per_start_date")
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.framework_code} from {self.starts_on}"


class Agency(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="agency_name_per_partnership")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    """A person's role in a partnership. Analysts are national, so their membership has no partnership."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership", "role"], name="one_role_per_partnership"),
            models.CheckConstraint(
                condition=models.Q(partnership__isnull=False) | models.Q(role="analyst"),
                name="only_analysts_are_national",
            ),
        ]

    def __str__(self) -> str:
        where = self.partnership or "national"
        return f"{self.user} – {self.get_role_display()} ({where})"


def roles_memo_key(user_id: int) -> tuple[str, int]:
    """Where selectors.roles_by_partnership keeps a person's roles for the rest of a request (core.request_context)."""
    return ("roles", user_id)


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="forget_roles_read_this_request")
def forget_roles_read_this_request(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    # A role given or ended during a request is what the rest of that request reads (deleting a person or a
    # partnership deletes their memberships one by one, so this hears of those too).
    memo = request_memo()
    if memo is not None:
        memo.pop(roles_memo_key(instance.user_id), None)
