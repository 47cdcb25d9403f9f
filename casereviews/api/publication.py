"""The publication API: published reviews for anyone (read-only), and for staff the state of a review's redaction
gate and the requests for reports after their window.

Mounted under /api/publication/ by `casereviews.api.urls`. The gate never returns the case key or the text of a
finding: a script may check whether a review can be published, but the findings are read on the gate page, where
each view is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from casereviews.api.base import ApiView
from casereviews.core.auth import recently_authenticated
from casereviews.partnerships.models import Role, User
from casereviews.partnerships.selectors import holds_role_anywhere
from casereviews.publication import selectors, services
from casereviews.publication.models import Publication, ReportRequest
from casereviews.reviews.models import Review, ReviewStatus


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class PublishedReviewSerializer(serializers.ModelSerializer[Publication]):
    pseudonym = serializers.CharField(source="review.pseudonym")
    partnership = serializers.CharField(source="review.partnership.name")
    available = serializers.SerializerMethodField(help_text="online: download it now; on_request: ask for it")
    page_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Null once the report is available on request only")

    class Meta:
        model = Publication
        fields = [
            "slug", "pseudonym", "partnership", "summary", "published_on", "window_ends_on", "available", "page_url",
            "download_url", "page_count", "file_size", "file_sha256",
        ]  # fmt: skip
        read_only_fields = fields

    def _online(self, publication: Publication) -> bool:
        return publication.review.status == ReviewStatus.PUBLISHED and publication.is_window_open_on(
            timezone.localdate()
        )

    def get_available(self, publication: Publication) -> str:
        return "online" if self._online(publication) else "on_request"

    def get_page_url(self, publication: Publication) -> str:
        return self.context["request"].build_absolute_uri(reverse("publication:public_detail", args=[publication.slug]))

    def get_download_url(self, publication: Publication) -> str | None:
        if not self._online(publication):
            return None
        return self.context["request"].build_absolute_uri(
            reverse("publication:public_download", args=[publication.slug])
        )


class PublishedList(ApiView):
    """Published reviews, newest first. No sign-in needed."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(responses=PublishedReviewSerializer(many=True))
    def get(self, request: Request) -> Response:
        publications = selectors.published_reviews()[:500]
        return Response(PublishedReviewSerializer(publications, many=True, context={"request": request}).data)


class PublishedDetail(ApiView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(responses=PublishedReviewSerializer)
    def get(self, request: Request, slug: str) -> Response:
        publication = get_object_or_404(selectors.published_reviews(), slug=slug)
        return Response(PublishedReviewSerializer(publication, context={"request": request}).data)


class GateSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    status = serializers.CharField()
    can_publish = serializers.BooleanField(help_text="True when nothing holds the review back today")
    problems = serializers.ListField(child=serializers.CharField())
    scan_status = serializers.CharField(allow_null=True)
    scan_progress = serializers.IntegerField(allow_null=True)
    findings_to_decide = serializers.IntegerField()
    findings_redacted = serializers.IntegerField()
    findings_kept = serializers.IntegerField()


class GateDetail(ApiView):
    """Whether a review can be published now, and what holds it back. Business manager and chair only."""

    @extend_schema(responses=GateSerializer)
    def get(self, request: Request, reference: str) -> Response:
        review = get_object_or_404(Review.objects.select_related("partnership"), reference=reference)
        if not request.user.has_perm("publication.redact", review):
            if request.user.has_perm("reviews.view_review", review):
                raise PermissionDenied("Only the business manager and the chair see the redaction gate")
            raise Http404("No review found")
        gate = selectors.gate_of(review)
        problems = gate.problems()
        return Response(
            GateSerializer(
                {
                    "reference": review.reference,
                    "status": review.status,
                    "can_publish": not problems,
                    "problems": problems,
                    "scan_status": gate.scan.status if gate.scan else None,
                    "scan_progress": gate.scan.progress if gate.scan else None,
                    "findings_to_decide": gate.pending,
                    "findings_redacted": gate.redacted,
                    "findings_kept": gate.kept,
                }
            ).data
        )


class ReportRequestSerializer(serializers.ModelSerializer[ReportRequest]):
    publication = serializers.CharField(source="publication.slug")

    class Meta:
        model = ReportRequest
        fields = [
            "id", "publication", "name", "email", "organisation", "reason", "status", "requested_at", "decided_at",
            "refusal_reason", "download_count", "version",
        ]  # fmt: skip
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.ChoiceField(choices=["grant", "refuse"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


def _require_business_manager(user: User) -> None:
    if not holds_role_anywhere(user, {Role.BUSINESS_MANAGER}):
        raise PermissionDenied("Only a partnership's business manager answers requests for reports")


def _require_recent_sign_in_to_grant(request: Request) -> None:
    """Granting sends a confidential report outside the partnership, so it needs what the page needs: a sign-in or
    a confirmation within ACCOUNT_REAUTHENTICATION_TIMEOUT. A token proves neither (its holder skipped the second
    factor and may have held it for months), so a grant is never accepted with a token (ADR 0012)."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        raise PermissionDenied(
            "A request for a report is granted on the requests page, not with an API token: "
            "granting needs a recent sign-in with your authenticator code."
        )
    if not recently_authenticated(request._request):
        raise PermissionDenied(
            "Granting needs a recent sign-in: confirm it is you on the requests page, or sign in again, and retry "
            "within a few minutes."
        )


class RequestList(ApiView):
    """Requests for reports of the partnerships where you are business manager, newest first."""

    @extend_schema(responses=ReportRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        _require_business_manager(_user(request))
        requests = selectors.requests_visible_to(_user(request))[:500]
        return Response(ReportRequestSerializer(requests, many=True).data)


class RequestAnswer(ApiView):
    """Grant (the requester is e-mailed a download link that expires) or refuse with a reason (e-mailed).

    Granting is refused with a token, and with a session only when its sign-in or confirmation is recent: 403 then.
    """

    @extend_schema(request=AnswerSerializer, responses=ReportRequestSerializer)
    def post(self, request: Request, request_id: int) -> Response:
        user = _user(request)
        _require_business_manager(user)
        report_request = get_object_or_404(selectors.requests_visible_to(user), pk=request_id)
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["answer"] == "grant":
            _require_recent_sign_in_to_grant(request)
            answered = services.report_request_grant(
                actor=user, request=report_request, expected_version=data["version"]
            )
        else:
            answered = services.report_request_refuse(
                actor=user, request=report_request, reason=data["reason"], expected_version=data["version"]
            )
        return Response(ReportRequestSerializer(answered).data)


urlpatterns = [
    path("published/", PublishedList.as_view(), name="publication_published"),
    path("published/<slug:slug>/", PublishedDetail.as_view(), name="publication_published_detail"),
    path("reviews/<str:reference>/gate/", GateDetail.as_view(), name="publication_gate"),
    path("requests/", RequestList.as_view(), name="publication_requests"),
    path("requests/<int:request_id>/answer/", RequestAnswer.as_view(), name="publication_request_answer"),
]
