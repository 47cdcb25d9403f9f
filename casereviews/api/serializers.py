"""API payloads: typed, validated at the boundary, and never wider than the person may see."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from casereviews.referrals.models import (
    AbuseOrNeglect,
    ChildSex,
    CriteriaAssessment,
    Deadline,
    Decision,
    HarmOutcome,
    Notification,
    PanelResponse,
    Recommendation,
    Referral,
    YesNoUnknown,
)


class ReferralInputSerializer(serializers.Serializer[Any]):
    partnership = serializers.SlugField(help_text="The partnership's slug")
    referrer_name = serializers.CharField(max_length=200)
    referrer_job_title = serializers.CharField(max_length=200)
    referrer_organisation = serializers.CharField(max_length=200)
    referrer_email = serializers.EmailField()
    referrer_phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    child_reference = serializers.CharField(max_length=100)
    child_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    child_age_years = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=17)
    child_sex = serializers.ChoiceField(choices=ChildSex.choices)
    child_ethnicity = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    child_disability = serializers.ChoiceField(choices=YesNoUnknown.choices)
    child_disability_details = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    looked_after = serializers.ChoiceField(choices=YesNoUnknown.choices)
    child_protection_plan = serializers.ChoiceField(choices=YesNoUnknown.choices)
    incident_date = serializers.DateField()
    aware_on = serializers.DateField()
    what_happened = serializers.CharField(max_length=20000)
    abuse_or_neglect = serializers.ChoiceField(choices=AbuseOrNeglect.choices)
    harm_outcome = serializers.ChoiceField(choices=HarmOutcome.choices)
    agency_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    other_agencies = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReferralStatusSerializer(serializers.ModelSerializer[Referral]):
    """What a referrer sees of their own referral: what they sent and where it has got to."""

    partnership: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "reference",
            "partnership",
            "framework_code",
            "state",
            "status",
            "submitted_at",
            "child_reference",
            "incident_date",
            "aware_on",
            "harm_outcome",
        ]
        read_only_fields = fields

    def get_status(self, referral: Referral) -> str:
        from casereviews.referrals.selectors import referral_status_label

        return referral_status_label(referral)


class ReferralSerializer(ReferralStatusSerializer):
    agencies: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

    class Meta(ReferralStatusSerializer.Meta):
        fields = [
            *ReferralStatusSerializer.Meta.fields,
            "version",
            "referrer_name",
            "referrer_job_title",
            "referrer_organisation",
            "referrer_email",
            "referrer_phone",
            "child_date_of_birth",
            "child_age_years",
            "child_sex",
            "child_ethnicity",
            "child_disability",
            "child_disability_details",
            "looked_after",
            "child_protection_plan",
            "what_happened",
            "abuse_or_neglect",
            "agencies",
            "other_agencies",
        ]
        read_only_fields = fields


class VersionedInputSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The referral's version you are acting on; a change made since is refused with 409",
    )


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "recipient", "notified_on", "method", "reference", "notes", "recorded_at"]
        read_only_fields = fields


class NotificationInputSerializer(VersionedInputSerializer):
    recipient = serializers.CharField(max_length=50)
    notified_on = serializers.DateField()
    method = serializers.CharField(max_length=100)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(serializers.ModelSerializer[CriteriaAssessment]):
    class Meta:
        model = CriteriaAssessment
        fields = ["id", "answers", "outcome", "criteria_met", "explanation", "notes", "assessed_at"]
        read_only_fields = fields


class AssessmentInputSerializer(VersionedInputSerializer):
    answers = serializers.DictField(
        child=serializers.BooleanField(allow_null=True),
        help_text="Question id to true, false or null (not known)",
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    class Meta:
        model = Recommendation
        fields = ["id", "option", "rationale", "recorded_at"]
        read_only_fields = fields


class OptionInputSerializer(VersionedInputSerializer):
    option = serializers.CharField(max_length=50)
    rationale = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    class Meta:
        model = Decision
        fields = ["option", "review_type", "rationale", "differs_reason", "decided_on", "recorded_at"]
        read_only_fields = fields


class DecisionInputSerializer(OptionInputSerializer):
    differs_reason = serializers.CharField(required=False, allow_blank=True, default="")


class PanelResponseSerializer(serializers.ModelSerializer[PanelResponse]):
    class Meta:
        model = PanelResponse
        fields = ["id", "received_on", "summary", "recorded_at"]
        read_only_fields = fields


class PanelResponseInputSerializer(VersionedInputSerializer):
    received_on = serializers.DateField()
    summary = serializers.CharField()


class TransitionInputSerializer(VersionedInputSerializer):
    transition = serializers.CharField(max_length=50)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeadlineSerializer(serializers.ModelSerializer[Deadline]):
    referral: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "referral",
            "rule_id",
            "label",
            "basis",
            "clock_start",
            "length",
            "unit",
            "calendar",
            "due_on",
            "met_on",
            "cancelled_on",
            "status",
            "breach_reason",
        ]
        read_only_fields = fields

    def get_status(self, deadline: Deadline) -> str:
        return str(deadline.status.value)
