"""E-mail about referrals, sent by the task worker after the change has committed.

The e-mails say that something happened and link to the service; they never carry case details, because
e-mail leaves the system's access control.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casereviews.partnerships.models import Membership, Role


@task()
def referral_submitted_email(referral_id: int) -> int:
    from casereviews.referrals.models import Referral

    referral = Referral.objects.select_related("partnership").filter(pk=referral_id).first()
    if referral is None:
        return 0
    recipients = list(
        Membership.objects.filter(partnership=referral.partnership, role=Role.BUSINESS_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"New referral {referral.reference}",
        message=(
            f"A new referral, {referral.reference}, has been submitted to {referral.partnership.name}.\n"
            "Sign in to Case Reviews to see it. Statutory clocks have started.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@task()
def referral_status_email(referral_id: int) -> int:
    from casereviews.frameworks.engine import state_label
    from casereviews.frameworks.services import get_framework
    from casereviews.referrals.models import Referral

    referral = Referral.objects.select_related("submitted_by").filter(pk=referral_id).first()
    if referral is None or not referral.referrer_email:
        return 0
    status = state_label(get_framework(referral.framework_code), referral.state)
    return send_mail(
        subject=f"Referral {referral.reference}: {status}",
        message=(
            f"The status of your referral {referral.reference} is now: {status}.\nSign in to Case Reviews to see it.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[referral.referrer_email],
    )


@task()
def deadline_breached_email(deadline_id: int) -> int:
    """Tell the business managers about a breach, once: a breach already e-mailed (a task run twice, or queued
    again by the scheduled job) sends nothing."""
    from casereviews.referrals.models import Deadline, Referral

    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().filter(pk=deadline_id).first()
        if deadline is None or deadline.breach_emailed_at is not None:
            return 0
        referral = Referral.objects.select_related("partnership").get(pk=deadline.referral_id)
        recipients = list(
            Membership.objects.filter(partnership=referral.partnership, role=Role.BUSINESS_MANAGER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        sent = 0
        if recipients:
            host = urlsplit(settings.SITE_URL).hostname or "localhost"
            sent = EmailMessage(
                subject=f"Referral {referral.reference}: a statutory deadline has passed",
                body=(
                    f"A statutory deadline on referral {referral.reference} was due on {deadline.due_on:%d %B %Y} "
                    "and has not been met.\nSign in to Case Reviews to record what happened and why.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients,
                # The same for every attempt, so a copy sent again after a crash is recognisably the same message.
                headers={"Message-ID": f"<deadline-breach.{deadline.pk}@{host}>"},
            ).send()
        deadline.breach_emailed_at = timezone.now()
        deadline.save(update_fields=["breach_emailed_at"])
    return sent
