"""The action plans API: the actions a person may see, each with its computed status, and progress updates.

Mounted under /api/actions/ by `casereviews.api.urls`. Lists are scoped by `actions.selectors`: whole plans for
the partnership's case staff and appointed reviewers, their own agency's actions for agency leads. An action
the person may not see is 404, so its existence is not disclosed; the services check the rules again and
their refusals become API errors through `casereviews.api.errors`.
"""

from __future__ import annotations

import os
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from casereviews.actions import selectors, services
from casereviews.actions.models import Action, ActionStatus, DeclaredState, ProgressUpdate
from casereviews.api.base import ApiView
from casereviews.core.audit import audit_record
from casereviews.core.files import check_attachment
from casereviews.partnerships.models import User


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class ActionSerializer(serializers.ModelSerializer[Action]):
    review = serializers.CharField(source="recommendation.review.reference", read_only=True)
    recommendation = serializers.IntegerField(source="recommendation.number", read_only=True)
    owner_agency = serializers.CharField(source="owner_agency.name", read_only=True)
    status = serializers.SerializerMethodField(help_text="Computed from the due date, the updates and the evidence")
    evidence_accepted_by = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "label",
            "review",
            "recommendation",
            "description",
            "owner_agency",
            "lead_name",
            "due_on",
            "expected_change",
            "success_measure",
            "status",
            "evidence_accepted_by",
            "evidence_accepted_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ActionStatus.choices))
    def get_status(self, action: Action) -> str:
        return action.status_on(timezone.localdate()).value

    def get_evidence_accepted_by(self, action: Action) -> str | None:
        return action.evidence_accepted_by.display_name if action.evidence_accepted_by else None


class ProgressUpdateSerializer(serializers.ModelSerializer[ProgressUpdate]):
    posted_by = serializers.CharField(source="posted_by.display_name", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = ["id", "posted_by", "posted_at", "declared_state", "narrative", "evidence", "files"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_files(self, update: ProgressUpdate) -> list[str]:
        return [file.filename for file in update.files.all()]


class ActionDetailSerializer(ActionSerializer):
    recommendation_text = serializers.CharField(source="recommendation.text", read_only=True)
    updates = serializers.SerializerMethodField()

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "recommendation_text", "updates"]
        read_only_fields = fields

    @extend_schema_field(ProgressUpdateSerializer(many=True))
    def get_updates(self, action: Action) -> list[dict[str, Any]]:
        updates = action.updates.select_related("posted_by").prefetch_related("files")
        return list(ProgressUpdateSerializer(updates, many=True).data)


class ProgressUpdateInputSerializer(serializers.Serializer[Any]):
    declared_state = serializers.ChoiceField(choices=DeclaredState.choices)
    narrative = serializers.CharField(max_length=20000)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Evidence files (multipart only): PDF, Word, text or images, checked by content",
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The action's version you are reporting on; a change made since is refused with 409",
    )


def _visible_action(request: Request, pk: int) -> Action:
    return get_object_or_404(selectors.actions_visible_to(_user(request)), pk=pk)


class ActionList(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ActionSerializer(many=True))
    def get(self, request: Request) -> Response:
        actions = selectors.actions_visible_to(_user(request)).order_by("due_on", "pk")[:1000]
        return Response(ActionSerializer(actions, many=True).data)


class ActionDetail(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ActionDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        action = _visible_action(request, pk)
        review = action.recommendation.review
        if review.status not in selectors.PUBLISHED_STATUSES:
            audit_record(
                actor=_user(request),
                action="action.view",
                target=action,
                partnership=review.partnership,
                summary=f"Viewed action {action.label} of {review.reference} through the API",
            )
        return Response(ActionDetailSerializer(action).data)


class ProgressUpdateCreate(ApiView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": ProgressUpdateInputSerializer,
            "multipart/form-data": ProgressUpdateInputSerializer,
        },
        responses={201: ProgressUpdateSerializer},
        description="An agency lead reports progress on an action their agency owns. Declaring it completed "
        "needs evidence (text or files). Anyone else is refused with 403.",
    )
    def post(self, request: Request, pk: int) -> Response:
        action = _visible_action(request, pk)
        payload = ProgressUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        files = [
            check_attachment(os.path.basename(upload.name or "") or "evidence", upload.read())
            for upload in data["files"]
        ]
        update = services.progress_update_post(
            actor=_user(request),
            action=action,
            narrative=data["narrative"],
            declared_state=data["declared_state"],
            evidence=data["evidence"],
            files=files,
            expected_version=data["version"],
        )
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("", ActionList.as_view(), name="actions"),
    path("<int:pk>/", ActionDetail.as_view(), name="action"),
    path("<int:pk>/updates/", ProgressUpdateCreate.as_view(), name="action_updates"),
]
