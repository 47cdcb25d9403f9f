"""Forms for the action plan: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from casereviews.actions.models import DeclaredState, Finding
from casereviews.actions.services import ActionInput
from casereviews.partnerships.models import Agency, User
from casereviews.referrals.forms import MultipleFileField, VersionedForm


class FindingForm(VersionedForm):
    number = forms.IntegerField(
        label="Finding number",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    text = forms.CharField(label="Finding", widget=forms.Textarea, max_length=20000)


class RecommendationForm(VersionedForm):
    number = forms.IntegerField(
        label="Recommendation number",
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    text = forms.CharField(label="Recommendation", widget=forms.Textarea, max_length=20000)
    finding = forms.ModelChoiceField(
        queryset=Finding.objects.none(),
        required=False,
        label="Which finding does it answer?",
        empty_label="None: it answers the review as a whole",
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="To whom is it made?",
        empty_label="The partnership",
    )

    def __init__(self, *args: Any, findings: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        finding_field: Any = self.fields["finding"]
        finding_field.queryset = findings
        finding_field.label_from_instance = lambda finding: f"Finding {finding.number}: {finding.text[:80]}"
        agency_field: Any = self.fields["agency"]
        agency_field.queryset = agencies


class ActionForm(VersionedForm):
    description = forms.CharField(label="What will be done", widget=forms.Textarea, max_length=20000)
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Owner agency", empty_label="Select the agency"
    )
    lead_name = forms.CharField(label="Lead person", max_length=200, help_text="Their name and role")
    lead_user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="The lead's account (optional)",
        help_text="When the lead is an agency lead here, they will see the action and receive its reminders",
        empty_label="No account",
    )
    due_on = DateInputField(label="Due date", help_text="For example, 27 3 2027")
    expected_change = forms.CharField(
        label="What is expected to change",
        widget=forms.Textarea,
        max_length=20000,
        help_text="For children and families, and in practice",
    )
    success_measure = forms.CharField(
        label="How success will be measured",
        widget=forms.Textarea,
        max_length=20000,
        help_text="The evidence of impact the board will look for, for example an audit result",
    )

    def __init__(self, *args: Any, agencies: Any, lead_users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["owner_agency"]
        agency_field.queryset = agencies
        lead_field: Any = self.fields["lead_user"]
        lead_field.queryset = lead_users
        lead_field.label_from_instance = lambda user: user.display_name

    def to_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(
            description=data["description"],
            owner_agency_id=data["owner_agency"].pk,
            lead_name=data["lead_name"],
            lead_user_id=data["lead_user"].pk if data["lead_user"] else None,
            due_on=data["due_on"],
            expected_change=data["expected_change"],
            success_measure=data["success_measure"],
        )


class ProgressUpdateForm(VersionedForm):
    declared_state = forms.ChoiceField(
        label="How is the action going?", choices=DeclaredState.choices, widget=forms.RadioSelect
    )
    narrative = forms.CharField(
        label="What has happened since the last update", widget=forms.Textarea, max_length=20000
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea,
        max_length=20000,
        required=False,
        help_text="What shows the change has happened, for example an audit's findings. Needed when complete.",
    )
    attachments = MultipleFileField(
        label="Attach evidence (optional)",
        required=False,
        help_text="PDF, Word, text or image files up to 20 MB each",
    )


class AcceptEvidenceForm(VersionedForm):
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
        help_text="For example, what the board saw that showed the change",
    )
