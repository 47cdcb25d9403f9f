"""Forms: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

import uuid
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms

from casereviews.core.errors import DomainError
from casereviews.core.forms import ValidationLoggedForm
from casereviews.frameworks.schema import FrameworkDefinition
from casereviews.partnerships.models import Partnership
from casereviews.referrals.models import AbuseOrNeglect, ChildSex, HarmOutcome, YesNoUnknown
from casereviews.referrals.services import ReferralInput


class GdsForm(ValidationLoggedForm):
    """A form rendered with the GOV.UK Design System templates, without its own <form> tag."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def add_domain_error(self, error: DomainError) -> None:
        """Show a service's refusal on the form: on the fields it names, or at the top."""
        placed = False
        for name, messages in error.field_errors.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class VersionedForm(GdsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _date_field(label: str, help_text: str = "", required: bool = True) -> DateInputField:
    return DateInputField(label=label, help_text=help_text or "For example, 27 3 2025", required=required)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "govuk-file-upload"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReferralForm(GdsForm):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), label="Which partnership are you referring to?", empty_label=None
    )
    child_reference = forms.CharField(
        label="Child's reference",
        help_text="The local case number or the child's initials – not their name",
        max_length=100,
    )
    child_date_of_birth = _date_field(
        "Child's date of birth", "Leave blank if not known and give the age instead", required=False
    )
    child_age_years = forms.IntegerField(
        label="Child's age in years",
        required=False,
        min_value=0,
        max_value=17,
        help_text="Only if the date of birth is not known",
    )
    child_sex = forms.ChoiceField(label="Child's sex", choices=ChildSex.choices, widget=forms.RadioSelect)
    child_ethnicity = forms.CharField(label="Child's ethnicity", required=False, max_length=100)
    child_disability = forms.ChoiceField(
        label="Does the child have a disability?", choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )
    child_disability_details = forms.CharField(label="Details of the disability", required=False, max_length=500)
    looked_after = forms.ChoiceField(
        label="Was the child looked after?", choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )
    child_protection_plan = forms.ChoiceField(
        label="Was the child on a child protection plan?", choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )
    incident_date = _date_field("Date of the incident")
    aware_on = _date_field("Date the partnership became aware", "The statutory clocks start from this date")
    harm_outcome = forms.ChoiceField(
        label="What happened to the child?", choices=HarmOutcome.choices, widget=forms.RadioSelect
    )
    abuse_or_neglect = forms.ChoiceField(
        label="Is abuse or neglect known or suspected?", choices=AbuseOrNeglect.choices, widget=forms.RadioSelect
    )
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea, max_length=20000)
    agencies = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Agencies involved with the child or family",
    )
    other_agencies = forms.CharField(label="Other agencies involved", required=False, max_length=500)
    referrer_name = forms.CharField(label="Your full name", max_length=200)
    referrer_job_title = forms.CharField(label="Your job title", max_length=200)
    referrer_organisation = forms.CharField(label="Your organisation", max_length=200)
    referrer_email = forms.EmailField(label="Your email address")
    referrer_phone = forms.CharField(label="Your telephone number", required=False, max_length=50)
    attachments = MultipleFileField(
        label="Attach documents (optional)", required=False, help_text="PDF, Word, text or image files up to 20 MB each"
    )

    def __init__(self, *args: Any, partnerships: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())

    def to_input(self) -> ReferralInput:
        data = self.cleaned_data
        return ReferralInput(
            referrer_name=data["referrer_name"],
            referrer_job_title=data["referrer_job_title"],
            referrer_organisation=data["referrer_organisation"],
            referrer_email=data["referrer_email"],
            referrer_phone=data["referrer_phone"],
            child_reference=data["child_reference"],
            child_date_of_birth=data["child_date_of_birth"],
            child_age_years=data["child_age_years"],
            child_sex=data["child_sex"],
            child_ethnicity=data["child_ethnicity"],
            child_disability=data["child_disability"],
            child_disability_details=data["child_disability_details"],
            looked_after=data["looked_after"],
            child_protection_plan=data["child_protection_plan"],
            incident_date=data["incident_date"],
            aware_on=data["aware_on"],
            what_happened=data["what_happened"],
            abuse_or_neglect=data["abuse_or_neglect"],
            harm_outcome=data["harm_outcome"],
            agency_ids=[agency.pk for agency in data["agencies"]],
            other_agencies=data["other_agencies"],
        )


class NotificationForm(VersionedForm):
    recipient = forms.ChoiceField(label="Who was notified?", widget=forms.RadioSelect)
    notified_on = _date_field("Date they were notified")
    method = forms.CharField(
        label="How were they notified?", help_text="For example, the national online form", max_length=100
    )
    reference = forms.CharField(label="Their reference (optional)", required=False, max_length=100)
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, framework: FrameworkDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(r.id, r.label) for r in framework.recipients]  # type: ignore[attr-defined]


ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known yet")]


class AssessmentForm(VersionedForm):
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, framework: FrameworkDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {}
        for question in framework.criteria.questions:
            questions[f"q_{question.id}"] = forms.ChoiceField(
                label=question.text, help_text=question.hint, choices=ANSWER_CHOICES, widget=forms.RadioSelect
            )
        self.fields = {**questions, **self.fields}

    def answers(self) -> dict[str, bool | None]:
        mapping = {"yes": True, "no": False, "unknown": None}
        return {name[2:]: mapping[value] for name, value in self.cleaned_data.items() if name.startswith("q_")}


class OptionForm(VersionedForm):
    option = forms.ChoiceField(widget=forms.RadioSelect)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)

    def __init__(
        self, *args: Any, options: list[tuple[str, str]], option_label: str, rationale_label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = options  # type: ignore[attr-defined]
        self.fields["option"].label = option_label
        self.fields["rationale"].label = rationale_label


class DecisionForm(OptionForm):
    differs_reason = forms.CharField(
        label="If your decision differs from the recommendation, explain why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )


class PanelResponseForm(VersionedForm):
    received_on = _date_field("Date the Panel responded")
    summary = forms.CharField(label="The Panel's response", widget=forms.Textarea(attrs={"rows": 5}))


class TransitionForm(VersionedForm):
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)


class BreachReasonForm(GdsForm):
    # Optional, unlike VersionedForm's: a post that does not come from the page is not checked.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why was the deadline breached?", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class DashboardFilterForm(forms.Form):
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="All partnerships"
    )
    deadline_status = forms.ChoiceField(
        required=False,
        label="Deadlines",
        choices=[("", "Any"), ("due_soon", "Due soon"), ("overdue", "Overdue"), ("breached", "Breached")],
    )
    query = forms.CharField(required=False, label="Reference", max_length=100)

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]
