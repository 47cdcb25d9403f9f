"""The staff and referrer API. Views are thin: they parse, call a selector or a service, and serialise."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from casereviews.api import serializers
from casereviews.api.base import ATTACHMENT, ApiDefaults, ApiView
from casereviews.core.audit import audit_record
from casereviews.core.errors import Duplicate
from casereviews.partnerships.models import Partnership, User
from casereviews.partnerships.selectors import partnerships_where
from casereviews.referrals import selectors, services
from casereviews.referrals.models import Deadline, Referral
from casereviews.referrals.rules import CASE_STAFF


@csrf_exempt  # it changes nothing; like the API's own views, which check CSRF only for session-signed requests
def not_found(request: HttpRequest) -> JsonResponse:
    """No endpoint here: the same body and headers as a DRF 404, for any method."""
    response = JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    response["Content-Disposition"] = ATTACHMENT
    return response


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _referral_for(request: Request, reference: str, perm: str = "referrals.view_referral") -> Referral:
    referral = get_object_or_404(Referral.objects.select_related("partnership"), reference=reference)
    if not request.user.has_perm(perm, referral):
        raise Http404("No referral found")
    return referral


def _staff_referral(request: Request, reference: str) -> Referral:
    referral = _referral_for(request, reference)
    if not request.user.has_perm("referrals.view_deliberations", referral):
        raise PermissionDenied("Only the partnership's case staff can see this")
    return referral


def _idempotency_key(request: Request) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"user:{request.user.pk}:{raw}")


class ReferralListCreate(ApiView):
    @extend_schema(responses=serializers.ReferralStatusSerializer(many=True))
    def get(self, request: Request) -> Response:
        referrals = selectors.referrals_visible_to(_user(request)).order_by("-submitted_at")[:500]
        return Response(serializers.ReferralStatusSerializer(referrals, many=True).data)

    @extend_schema(
        request=serializers.ReferralInputSerializer,
        responses={201: serializers.ReferralStatusSerializer, 200: serializers.ReferralStatusSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Resending a request with the same key returns the first referral",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        payload = serializers.ReferralInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        partnership = Partnership.objects.filter(slug=data.pop("partnership")).first()
        if partnership is None:
            return Response(
                {"detail": "No such partnership", "errors": {"partnership": ["No such partnership"]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            referral = services.referral_submit(
                submitted_by=_user(request),
                partnership=partnership,
                data=services.ReferralInput(**data),
                submission_key=_idempotency_key(request),
            )
        except Duplicate as duplicate:
            existing: Referral = duplicate.existing  # type: ignore[assignment]
            return Response(
                serializers.ReferralStatusSerializer(existing).data,
                status=status.HTTP_200_OK,
                headers={"Idempotent-Replayed": "true"},
            )
        return Response(serializers.ReferralStatusSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetail(ApiView):
    @extend_schema(responses=serializers.ReferralSerializer)
    def get(self, request: Request, reference: str) -> Response:
        referral = _referral_for(request, reference)
        audit_record(
            actor=request.user,
            action="referral.view",
            target=referral,
            partnership=referral.partnership,
            summary=f"Viewed referral {referral.reference} through the API",
        )
        if request.user.has_perm("referrals.view_deliberations", referral):
            return Response(serializers.ReferralSerializer(referral).data)
        return Response(serializers.ReferralStatusSerializer(referral).data)


def _recording_schema(input: type[Any], output: type[Any]) -> Any:
    """GET answers the list of what was recorded; POST records one more and answers it with 201 Created."""
    return extend_schema_view(
        get=extend_schema(responses=output(many=True)),
        post=extend_schema(request=input, responses={201: output}),
    )


class _RecordingView(ApiView):
    """GET lists what has been recorded on the referral; POST records one more through the service."""

    output: type[serializers.serializers.ModelSerializer[Any]]
    input: type[serializers.serializers.Serializer[Any]]
    related: str

    def records(self, referral: Referral) -> Any:
        return getattr(referral, self.related).all()

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def get(self, request: Request, reference: str) -> Response:
        referral = _staff_referral(request, reference)
        return Response(self.output(self.records(referral), many=True).data)

    def post(self, request: Request, reference: str) -> Response:
        referral = _staff_referral(request, reference)
        payload = self.input(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        created = self.record(request, referral, data)
        return Response(self.output(created).data, status=status.HTTP_201_CREATED)


@_recording_schema(serializers.NotificationInputSerializer, serializers.NotificationSerializer)
class NotificationListCreate(_RecordingView):
    output = serializers.NotificationSerializer
    input = serializers.NotificationInputSerializer
    related = "notifications"

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        return services.notification_record(
            actor=_user(request),
            referral=referral,
            recipient=data["recipient"],
            notified_on=data["notified_on"],
            method=data["method"],
            reference=data["reference"],
            notes=data["notes"],
            expected_version=data["version"],
        )


@_recording_schema(serializers.AssessmentInputSerializer, serializers.AssessmentSerializer)
class AssessmentListCreate(_RecordingView):
    output = serializers.AssessmentSerializer
    input = serializers.AssessmentInputSerializer
    related = "assessments"

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        return services.assessment_record(
            actor=_user(request),
            referral=referral,
            answers=data["answers"],
            notes=data["notes"],
            expected_version=data["version"],
        )


@_recording_schema(serializers.OptionInputSerializer, serializers.RecommendationSerializer)
class RecommendationListCreate(_RecordingView):
    output = serializers.RecommendationSerializer
    input = serializers.OptionInputSerializer
    related = "recommendations"

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        return services.recommendation_record(
            actor=_user(request),
            referral=referral,
            option=data["option"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )


@_recording_schema(serializers.PanelResponseInputSerializer, serializers.PanelResponseSerializer)
class PanelResponseListCreate(_RecordingView):
    output = serializers.PanelResponseSerializer
    input = serializers.PanelResponseInputSerializer
    related = "panel_responses"

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        return services.panel_response_record(
            actor=_user(request),
            referral=referral,
            received_on=data["received_on"],
            summary=data["summary"],
            expected_version=data["version"],
        )


@_recording_schema(serializers.DecisionInputSerializer, serializers.DecisionSerializer)
class DecisionListCreate(_RecordingView):
    output = serializers.DecisionSerializer
    input = serializers.DecisionInputSerializer
    related = "decision"

    def records(self, referral: Referral) -> Any:
        decision = getattr(referral, "decision", None)
        return [decision] if decision else []

    def record(self, request: Request, referral: Referral, data: dict[str, Any]) -> Any:
        return services.decision_record(
            actor=_user(request),
            referral=referral,
            option=data["option"],
            rationale=data["rationale"],
            differs_reason=data["differs_reason"],
            expected_version=data["version"],
        )


class TransitionCreate(ApiView):
    @extend_schema(request=serializers.TransitionInputSerializer, responses=serializers.ReferralSerializer)
    def post(self, request: Request, reference: str) -> Response:
        referral = _staff_referral(request, reference)
        payload = serializers.TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        updated = services.referral_transition(
            actor=_user(request),
            referral=referral,
            transition_id=data["transition"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return Response(serializers.ReferralSerializer(updated).data)


class ReferralDeadlines(ApiDefaults, generics.ListAPIView[Deadline]):
    serializer_class = serializers.DeadlineSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Deadline]:
        referral = _staff_referral(self.request, self.kwargs["reference"])
        return referral.deadlines.select_related("referral")


class DeadlineList(ApiDefaults, generics.ListAPIView[Deadline]):
    """Every deadline in the partnerships where this person is case staff, soonest first."""

    serializer_class = serializers.DeadlineSerializer

    def get_queryset(self) -> QuerySet[Deadline]:
        partnerships = partnerships_where(_user(self.request), set(CASE_STAFF))
        deadlines = Deadline.objects.filter(referral__partnership__in=partnerships).select_related("referral")
        if self.request.query_params.get("open") == "true":
            deadlines = deadlines.filter(met_on__isnull=True, cancelled_on__isnull=True)
        return deadlines.order_by("due_on", "pk")
