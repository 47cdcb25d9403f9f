"""E-mail about reviews, sent by the task worker after the change has committed.

Like the referral e-mails they say that something happened and link to the service; they never carry case
details, because e-mail leaves the system's access control.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from casereviews.partnerships.models import Membership, Role


@task()
def contribution_requested_email(request_id: int) -> int:
    from casereviews.reviews.models import ContributionRequest

    request = ContributionRequest.objects.select_related("review__partnership", "agency").filter(pk=request_id).first()
    if request is None:
        return 0
    recipients = list(
        Membership.objects.filter(partnership=request.review.partnership, role=Role.AGENCY_LEAD, agency=request.agency)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"Review {request.review.reference}: your agency's contribution is requested",
        message=(
            f"{request.review.partnership.name} asks {request.agency.name} for its chronology and agency report "
            f"for review {request.review.reference} by {request.due_on:%d %B %Y}.\n"
            "Sign in to Case Reviews to see what is asked and to upload them.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
