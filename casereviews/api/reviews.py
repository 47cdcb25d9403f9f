"""The reviews API (read only): the reviews a person may see, one review in full, and contribution requests.

Mounted under /api/reviews/ by `casereviews.api.urls`. Lists are scoped by `reviews.selectors`: the
partnership's case staff see its reviews, a lead reviewer the reviews they are appointed to; an agency lead
sees only their agency's contribution requests. A review the person may not see is 404, so its existence
is not disclosed. Every read of a review is audited, as in the pages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from casereviews.api.base import ApiView
from casereviews.core.audit import audit_record
from casereviews.partnerships.models import User
from casereviews.reviews import selectors
from casereviews.reviews.models import WORK_STATUSES, ContributionRequest, Hold, Milestone, Review


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class HoldSerializer(serializers.ModelSerializer[Hold]):
    class Meta:
        model = Hold
        fields = ["id", "kind", "reason", "starts_on", "ends_on"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["kind", "due_on", "reached_on", "overdue"]
        read_only_fields = fields

    def get_overdue(self, milestone: Milestone) -> bool:
        return milestone.review.status in WORK_STATUSES and milestone.is_overdue_on(timezone.localdate())


class ReviewSummarySerializer(serializers.ModelSerializer[Review]):
    partnership = serializers.CharField(source="partnership.slug", read_only=True)
    referral = serializers.CharField(source="referral.reference", read_only=True, allow_null=True, default=None)
    on_hold = serializers.SerializerMethodField(help_text="A hold for parallel proceedings is active today")

    class Meta:
        model = Review
        fields = [
            "reference",
            "partnership",
            "referral",
            "framework_code",
            "review_type",
            "title",
            "pseudonym",
            "status",
            "commissioned_on",
            "target_completion_on",
            "completed_on",
            "on_hold",
            "version",
        ]
        read_only_fields = fields

    def get_on_hold(self, review: Review) -> bool:
        return selectors.review_is_on_hold(review)


class ReviewDetailSerializer(ReviewSummarySerializer):
    holds = HoldSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    lead_reviewers = serializers.SerializerMethodField()
    agencies: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    held_days = serializers.SerializerMethodField(help_text="Days on hold since commissioning")
    earliest_publication_on = serializers.SerializerMethodField()
    publication_blockers = serializers.SerializerMethodField()

    class Meta(ReviewSummarySerializer.Meta):
        fields = [
            *ReviewSummarySerializer.Meta.fields,
            "agencies",
            "lead_reviewers",
            "holds",
            "held_days",
            "milestones",
            "earliest_publication_on",
            "publication_blockers",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lead_reviewers(self, review: Review) -> list[str]:
        return [a.reviewer.display_name for a in review.appointments.filter(ended_on__isnull=True)]

    def get_held_days(self, review: Review) -> int:
        return selectors.review_held_days(review, review.commissioned_on, timezone.localdate())

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_earliest_publication_on(self, review: Review) -> Any:
        return selectors.earliest_publication_date(review)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_publication_blockers(self, review: Review) -> list[str]:
        return selectors.publication_blockers(review)


class ContributionSerializer(serializers.ModelSerializer[ContributionRequest]):
    review = serializers.CharField(source="review.reference", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ContributionRequest
        fields = ["id", "review", "agency", "requested_on", "due_on", "what_is_asked", "received_on", "files"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_files(self, request: ContributionRequest) -> list[dict[str, Any]]:
        return [{"id": f.pk, "kind": f.kind, "filename": f.filename, "size": f.size} for f in request.files.all()]


class ReviewList(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ReviewSummarySerializer(many=True), description="The reviews you may see.")
    def get(self, request: Request) -> Response:
        reviews = selectors.reviews_visible_to(_user(request)).prefetch_related("holds").select_related("referral")
        audit_record(actor=request.user, action="review.api_list", summary="Listed reviews through the API")
        return Response(ReviewSummarySerializer(reviews.order_by("-commissioned_on", "-pk")[:500], many=True).data)


class ReviewDetail(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ReviewDetailSerializer)
    def get(self, request: Request, reference: str) -> Response:
        review = get_object_or_404(Review.objects.select_related("partnership", "referral"), reference=reference)
        if not request.user.has_perm("reviews.view_review", review):
            raise Http404("No review found")
        audit_record(
            actor=request.user,
            action="review.view",
            summary=f"Viewed review {review.reference} through the API",
            target=review,
            partnership=review.partnership,
        )
        return Response(ReviewDetailSerializer(review).data)


class ContributionList(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ContributionSerializer(many=True),
        description="Contribution requests you may see: your own agency's as an agency lead.",
    )
    def get(self, request: Request) -> Response:
        requests = selectors.contribution_requests_visible_to(_user(request)).prefetch_related("files")
        audit_record(actor=request.user, action="review.api_contributions", summary="Listed contribution requests")
        return Response(ContributionSerializer(requests.order_by("due_on", "pk"), many=True).data)


urlpatterns = [
    path("", ReviewList.as_view(), name="reviews"),
    path("contributions/", ContributionList.as_view(), name="review_contributions"),
    path("<str:reference>/", ReviewDetail.as_view(), name="review"),
]
