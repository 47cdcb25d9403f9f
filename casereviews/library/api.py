"""The library's API: upload reports, follow their analysis, and decide on what the machine proposes.

Mounted under /api/library/ by `casereviews.api.urls`. Only library staff may use it; the services check the
same rule again, and their refusals become API errors through `casereviews.api.errors`.
"""

from __future__ import annotations

import bisect
import os
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casereviews.api.base import ApiDefaults, ApiView
from casereviews.core.audit import audit_record
from casereviews.library import selectors, services
from casereviews.library.models import ExtractedValue, Report, ReportPage
from casereviews.partnerships.models import User


class IsLibraryStaff(BasePermission):
    message = "Only national analysts and business managers can use the library before reports are confirmed"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return services.can_manage_library(request.user)


# -- payloads -------------------------------------------------------------------------------------------------------


class ReportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="A PDF, Word (.docx), HTML or UTF-8 plain text file")


class ReportSerializer(serializers.ModelSerializer[Report]):
    """A report as the list shows it."""

    proposed_count = serializers.IntegerField(
        read_only=True, help_text="Proposals still waiting for a person to accept, correct or reject them"
    )

    class Meta:
        model = Report
        fields = [
            "id", "title", "filename", "sha256", "media_type", "size", "page_count", "source", "uploaded_at",
            "status", "progress", "failure_reason", "processed_at", "proposed_count",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField()
    start = serializers.IntegerField(help_text="Offset into the report's text where the quote starts")
    end = serializers.IntegerField()
    quote = serializers.CharField()


class ValueSerializer(serializers.ModelSerializer[ExtractedValue]):
    current = serializers.JSONField(read_only=True, help_text="A person's correction, else the proposal; "
                                                              "null when rejected")
    evidence = EvidenceSerializer(many=True, read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ExtractedValue
        fields = [
            "id", "field", "key", "status", "current", "proposed_value", "corrected_value", "machine_present",
            "evidence", "decided_by", "decided_at", "note", "version",
        ]
        read_only_fields = fields

    def get_decided_by(self, value: ExtractedValue) -> str | None:
        return value.decided_by.display_name if value.decided_by else None


class PiiFindingSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    page = serializers.IntegerField(allow_null=True)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    score = serializers.FloatField()


class ReportDetailSerializer(ReportSerializer):
    values = serializers.SerializerMethodField()
    pii_findings = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "read_warnings", "values", "pii_findings"]
        read_only_fields = fields

    @extend_schema_field(ValueSerializer(many=True))
    def get_values(self, report: Report) -> list[dict[str, Any]]:
        values = report.values.select_related("decided_by").order_by("field", "key")
        return list(ValueSerializer(values, many=True).data)

    @extend_schema_field(PiiFindingSerializer(many=True))
    def get_pii_findings(self, report: Report) -> list[dict[str, Any]]:
        """Where personal data was found, and of what type; not the words themselves."""
        pages = list(ReportPage.objects.filter(report=report).order_by("number"))
        starts = [page.start for page in pages]
        findings = []
        for finding in report.pii_findings:
            index = bisect.bisect_right(starts, finding["start"]) - 1
            findings.append({
                "type": finding["type"],
                "page": pages[index].number if index >= 0 else None,
                "start": finding["start"],
                "end": finding["end"],
                "score": finding["score"],
            })
        return list(PiiFindingSerializer(findings, many=True).data)


class ValueDecisionInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["accept", "correct", "reject"])
    value = serializers.JSONField(
        required=False, allow_null=True, default=None,
        help_text="For decision \"correct\": the value as a string, number or true/false (a recommendation's or "
        "finding's text as a string); null or \"\" says the report does not state it",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="The value's version you are deciding on; a decision made since is refused with 409",
    )


# -- endpoints --------------------------------------------------------------------------------------------------


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class ReportListCreate(ApiDefaults, generics.ListAPIView[Report]):
    """Every report in the library, newest first; POST adds one."""

    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated, IsLibraryStaff]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        # Meta.ordering does not apply to the selector's aggregate query, so the order is given here.
        return selectors.library_reports_for(_user(self.request)).order_by("-uploaded_at", "-pk")

    @extend_schema(
        request={"multipart/form-data": ReportUploadSerializer},
        responses={201: ReportSerializer, 200: ReportSerializer},
        description="Adds a report. The same file again returns the existing report with 200; a file that "
        "cannot be read is refused with 400 and the reason, and nothing is stored.",
    )
    def post(self, request: Request) -> Response:
        payload = ReportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        result = services.report_upload(
            uploaded_by=_user(request),
            filename=os.path.basename(upload.name or "") or "report",
            data=upload.read(),
            source="api",
        )
        report = selectors.library_reports_for(_user(request)).get(pk=result.report.pk)
        return Response(
            ReportSerializer(report).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class ReportDetail(ApiView):
    permission_classes = [IsAuthenticated, IsLibraryStaff]

    @extend_schema(responses=ReportDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        report = get_object_or_404(selectors.library_reports_for(_user(request)), pk=pk)
        audit_record(actor=_user(request), action="report.view", target=report,
                     summary=f"Viewed {report} in the library through the API")
        return Response(ReportDetailSerializer(report).data)


class ValueDecision(ApiView):
    permission_classes = [IsAuthenticated, IsLibraryStaff]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=ValueDecisionInputSerializer, responses=ValueSerializer)
    def post(self, request: Request, pk: int) -> Response:
        value = get_object_or_404(ExtractedValue.objects.select_related("report"), pk=pk)
        payload = ValueDecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        decided = services.value_decide(
            actor=_user(request),
            value=value,
            decision=data["decision"],
            corrected=data["value"],
            note=data["note"],
            expected_version=data["version"],
        )
        return Response(ValueSerializer(decided).data)


urlpatterns = [
    path("reports/", ReportListCreate.as_view(), name="library_reports"),
    path("reports/<int:pk>/", ReportDetail.as_view(), name="library_report"),
    path("values/<int:pk>/decision/", ValueDecision.as_view(), name="library_value_decision"),
]
