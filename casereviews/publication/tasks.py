"""Publication work for the task worker: the redaction scan, sending the published report to the library, and
e-mail about requests for a report.

E-mails never carry case details: the case key and the findings stay inside the service. The requester's e-mail
carries only the public pseudonym and, when granted, the time-limited download link.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from casereviews.partnerships.models import Membership, Role


@task()
def run_redaction_scan(scan_id: int) -> str:
    from casereviews.publication.services import redaction_scan_run

    scan = redaction_scan_run(scan_id)
    return "missing" if scan is None else scan.status


@task()
def send_publication_to_library(publication_id: int) -> str:
    from casereviews.publication.services import publication_to_library

    publication = publication_to_library(publication_id)
    return "missing" if publication is None else f"library report {publication.library_report_id}"


@task()
def report_request_received_email(request_id: int) -> int:
    from casereviews.publication.models import ReportRequest

    request = ReportRequest.objects.select_related("publication__review__partnership").filter(pk=request_id).first()
    if request is None:
        return 0
    recipients = list(
        Membership.objects.filter(partnership=request.publication.review.partnership, role=Role.BUSINESS_MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"Request for the report about {request.publication.review.pseudonym}",
        message=(
            f"Someone has asked for the published report about {request.publication.review.pseudonym}.\n"
            f"Sign in to Case Reviews to grant or refuse it: {settings.SITE_URL}{reverse('publication:requests')}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@task()
def report_request_answer_email(request_id: int) -> int:
    """Tell the requester the answer. A granted request gets its link here, signed now, so it is valid for the
    link's whole lifetime from the moment it is sent."""
    from casereviews.publication.models import ReportRequest, RequestStatus
    from casereviews.publication.services import link_max_age, request_download_token

    request = ReportRequest.objects.select_related("publication__review__partnership").filter(pk=request_id).first()
    if request is None or request.status == RequestStatus.PENDING:
        return 0
    review = request.publication.review
    if request.status == RequestStatus.GRANTED:
        link = f"{settings.SITE_URL}{reverse('publication:request_download', args=[request_download_token(request)])}"
        days = link_max_age().days
        body = (
            f"Dear {request.name},\n\nYour request for the report about {review.pseudonym}, published by "
            f"{review.partnership.name}, has been granted.\n\nDownload it here within {days} days:\n{link}\n"
        )
        ReportRequest.objects.filter(pk=request.pk).update(link_sent_at=timezone.now())
    else:
        body = (
            f"Dear {request.name},\n\nYour request for the report about {review.pseudonym}, published by "
            f"{review.partnership.name}, has been refused, for this reason:\n\n{request.refusal_reason}\n"
        )
    return send_mail(
        subject=f"Your request for the report about {review.pseudonym}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[request.email],
    )
