"""E-mail about actions, sent by the task worker after the change (or the reminder) has committed.

The e-mails give a reference and a link, never what the action or the review is about: e-mail leaves the
system's access control, and the link leads back inside it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from casereviews.actions.models import Action, Reminder, ReminderKind
from casereviews.partnerships.models import Membership, Role


def _link(action_id: int) -> str:
    return f"{settings.SITE_URL}{reverse('actions:detail', args=[action_id])}"


def reminder_recipients(action: Action) -> list[str]:
    """The owner agency's agency leads, the action's lead (if they have an account) and the business managers."""
    partnership_id = action.owner_agency.partnership_id
    leads = Membership.objects.filter(
        partnership_id=partnership_id, role=Role.AGENCY_LEAD, agency_id=action.owner_agency_id
    ).values_list("user__email", flat=True)
    managers = Membership.objects.filter(partnership_id=partnership_id, role=Role.BUSINESS_MANAGER).values_list(
        "user__email", flat=True
    )
    emails = [*leads, *managers]
    if action.lead_user is not None:
        emails.append(action.lead_user.email)
    return sorted({email for email in emails if email})


def reminder_message_id(reminder: Reminder) -> str:
    """The same for every attempt to send one reminder: if a worker dies after sending and before marking it sent,
    the copy sent again carries the Message-ID of the first, so mail programs can tell it is the same message."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder.{reminder.action_id}.{reminder.kind}.{reminder.due_on:%Y%m%d}.{reminder.period}@{host}>"


@task()
def action_reminder_email(reminder_id: int) -> int:
    """Send one recorded reminder, once: a reminder already e-mailed (a task run twice) sends nothing."""
    with transaction.atomic():
        # The lock is on the reminder row alone: PostgreSQL cannot lock the nullable side of an outer join.
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.emailed_at is not None:
            return 0
        action = Action.objects.select_related("recommendation__review", "owner_agency", "lead_user").get(
            pk=reminder.action_id
        )
        reference = action.recommendation.review.reference
        recipients = reminder_recipients(action)
        sent = 0
        if recipients:
            if reminder.kind == ReminderKind.DUE_SOON:
                subject = f"Action {action.label} of {reference} is due on {reminder.due_on:%d %B %Y}"
                opening = f"Action {action.label} of review {reference} is due on {reminder.due_on:%d %B %Y}."
            else:
                subject = f"Action {action.label} of {reference} is overdue"
                opening = (
                    f"Action {action.label} of review {reference} was due on {reminder.due_on:%d %B %Y} "
                    "and has not been reported complete."
                )
            sent = EmailMessage(
                subject=subject,
                body=f"{opening}\nSign in to Case Reviews to see it and report progress:\n{_link(action.pk)}\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients,
                headers={"Message-ID": reminder_message_id(reminder)},
            ).send()
        reminder.emailed_at = timezone.now()
        reminder.recipient_count = len(recipients)
        reminder.save(update_fields=["emailed_at", "recipient_count"])
    return sent


@task()
def action_completed_email(action_id: int) -> int:
    """Tell the business managers that an agency reported an action complete, so they can review the evidence."""
    action = Action.objects.select_related("recommendation__review__partnership").filter(pk=action_id).first()
    if action is None:
        return 0
    review = action.recommendation.review
    recipients = list(
        Membership.objects.filter(partnership=review.partnership, role=Role.BUSINESS_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"Action {action.label} of {review.reference} reported complete",
        message=(
            f"Action {action.label} of review {review.reference} has been reported complete.\n"
            f"Sign in to Case Reviews to review the evidence:\n{_link(action.pk)}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
