"""Forms for the review pages: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms

from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Agency, Partnership, Role, User
from casereviews.referrals.forms import GdsForm, VersionedForm
from casereviews.reviews.models import (
    ContributionFileKind,
    FamilyInvolvementOutcome,
    HoldKind,
    MarkerAnswer,
)

DATE_HINT = "For example, 27 3 2026"


def date_field(label: str, help_text: str = DATE_HINT, required: bool = True) -> DateInputField:
    return DateInputField(label=label, help_text=help_text, required=required)


def textarea(label: str, rows: int = 4, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=50000,
    )


class CommissionForm(GdsForm):
    framework_review_type = forms.ChoiceField(
        label="Framework and type of review",
        widget=forms.RadioSelect,
        help_text="The review type sets the target completion date and how many lead reviewers are needed",
    )
    title = forms.CharField(label="Title of the review", max_length=300)
    pseudonym = forms.CharField(
        label="Pseudonym for the published report",
        max_length=100,
        help_text="For example, “Child T” or an agreed first name that is not the child's own",
    )
    commissioned_on = date_field("Date the review was commissioned")
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple, label="Agencies involved"
    )
    terms_of_reference = textarea(
        "Terms of reference", rows=8, help_text="The period under review, the agencies, and the questions to answer"
    )

    def __init__(self, *args: Any, partnership: Partnership, fixed_type: tuple[str, str] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.filter(partnership=partnership)  # type: ignore[attr-defined]
        if fixed_type is not None:
            # With a referral, the chair's decision has already chosen the framework and the type.
            del self.fields["framework_review_type"]
            return
        choices = []
        for code in partnership.framework_periods.values_list("framework_code", flat=True).distinct():
            framework = get_framework(code)
            for review_type in framework.review_types:
                if review_type.run_locally:
                    choices.append((f"{code}:{review_type.id}", f"{framework.name}: {review_type.label}"))
        self.fields["framework_review_type"].choices = choices  # type: ignore[attr-defined]

    def framework_and_type(self) -> tuple[str, str]:
        value = self.cleaned_data.get("framework_review_type", "")
        code, _, type_id = value.partition(":")
        return code, type_id


class TermsForm(VersionedForm):
    text = textarea("Terms of reference", rows=12)


class AppointForm(VersionedForm):
    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), label="Lead reviewer", empty_label=None)
    appointed_on = date_field("Date appointed")
    declaration = textarea(
        "Declaration of independence",
        rows=5,
        help_text="The reviewer's statement that they have had no involvement with the child, the family or the "
        "agencies, and no line management of anyone involved",
    )
    declared_on = date_field("Date of the declaration")

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__partnership=partnership, memberships__role=Role.LEAD_REVIEWER
        ).distinct()


class EndAppointmentForm(GdsForm):
    ended_on = date_field("Date the appointment ends")
    reason = textarea("Reason", rows=3)


class PanelMemberForm(GdsForm):
    name = forms.CharField(label="Name", max_length=200)
    role = forms.CharField(label="Role", max_length=200, help_text="For example, designated nurse; panel chair")
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, label="Agency", empty_label="Not one of the partnership's"
    )
    organisation = forms.CharField(label="Organisation, if not one of the agencies", required=False, max_length=200)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(partnership=partnership)  # type: ignore[attr-defined]


class _SeenVersionForm(GdsForm):
    """Carries the version the page showed, so a stale change is refused. Optional: a post that does not come
    from the page (a script, an older page) is not checked, as before the field existed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MilestoneReplanForm(_SeenVersionForm):
    due_on = date_field("New due date")
    reason = textarea("Reason for the new date", rows=3)


class PanelMemberRemoveForm(GdsForm):
    reason = textarea("Why are they leaving the panel?", rows=3)


class ConfirmForm(VersionedForm):
    """A confirmation that carries the version the person saw, so a stale confirmation is refused."""


class ContributionRequestForm(GdsForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency", empty_label=None)
    due_on = date_field("Due by")
    what_is_asked = textarea(
        "What is asked", rows=5, help_text="The period the chronology covers and what the agency report should address"
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(partnership=partnership)  # type: ignore[attr-defined]


class ContributionFileForm(GdsForm):
    kind = forms.ChoiceField(
        label="What is this document?", choices=ContributionFileKind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label="Upload the document",
        help_text="PDF, Word or text, up to 20 MB",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )


class ContributionReceiveForm(GdsForm):
    received_on = date_field("Date received")


class PractitionerEventForm(GdsForm):
    held_on = date_field("Date of the event")
    title = forms.CharField(
        label="What was it?", max_length=200, help_text="For example, a practitioner learning event"
    )
    attendees = textarea("Who took part", rows=3, help_text="Roles and agencies, not names")
    notes = textarea("Notes (optional)", rows=4, required=False)


class FamilyInvolvementForm(GdsForm):
    on = date_field("Date")
    family_member = forms.CharField(
        label="Family member", max_length=200, help_text="Their relationship to the child, for example mother"
    )
    outcome = forms.ChoiceField(
        label="What happened?", choices=FamilyInvolvementOutcome.choices, widget=forms.RadioSelect
    )
    declined_reason = textarea("If they declined, the reason they gave", rows=3, required=False)
    notes = textarea("Notes (optional)", rows=3, required=False)


class HoldForm(GdsForm):
    kind = forms.ChoiceField(label="Which proceedings?", choices=HoldKind.choices, widget=forms.RadioSelect)
    reason = textarea("Reason for the hold", rows=4)
    starts_on = date_field("Hold starts on")


class HoldEndForm(GdsForm):
    ends_on = date_field("Hold ended on")
    note = textarea("Note (optional)", rows=3, required=False)


class DraftUploadForm(GdsForm):
    file = forms.FileField(
        label="Upload the draft",
        help_text="PDF, Word (.docx), HTML or text",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )
    note = textarea("What changed in this version (optional)", rows=3, required=False)


class CommentForm(GdsForm):
    page = forms.IntegerField(
        label="Page (optional)", required=False, min_value=1, help_text="Leave blank for the whole draft"
    )
    text = textarea("Comment", rows=4)


class QaReturnForm(VersionedForm):
    reasons = textarea("What needs more work?", rows=6)


class MarkerForm(_SeenVersionForm):
    answer = forms.ChoiceField(label="Is the marker met?", choices=MarkerAnswer.choices, widget=forms.RadioSelect)
    evidence = textarea("Evidence", rows=6, help_text="What shows this: documents, minutes, the report's sections")


class WrittenResponseForm(VersionedForm):
    text = textarea("The board's written response", rows=10, required=False)
    file = forms.FileField(
        label="Or attach it (optional)",
        required=False,
        help_text="PDF, Word or text",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )
    agreed_on = date_field("Date the board agreed it")


class DispatchForm(GdsForm):
    recipient = forms.ChoiceField(label="Sent to", widget=forms.RadioSelect)
    sent_on = date_field("Date sent")
    method = forms.CharField(label="How was it sent?", max_length=200, help_text="For example, secure e-mail")
    reference = forms.CharField(label="Their reference (optional)", required=False, max_length=200)

    def __init__(self, *args: Any, recipients: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(r, r) for r in recipients]  # type: ignore[attr-defined]


class NonPublicationForm(_SeenVersionForm):
    reasons = textarea("The board's reasons for not publishing", rows=6)
    proposed_on = date_field("Date the board proposed not to publish")
    advice = textarea("The advice received", rows=5, required=False, help_text="Leave blank until it arrives")
    advice_received_on = date_field("Date the advice was received", required=False)
    improvements = textarea(
        "Information about the improvements to be published instead",
        rows=8,
        help_text="This is what will be published in place of the report",
    )


class WithdrawForm(GdsForm):
    reason = textarea("Why will the report be published after all?", rows=4)


class ReviewFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label="Status")
    flag = forms.ChoiceField(
        required=False, label="Show", choices=[("", "All"), ("overdue", "Overdue"), ("on_hold", "On hold")]
    )
    query = forms.CharField(required=False, label="Reference, title or pseudonym", max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from casereviews.reviews.models import ReviewStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Open reviews"), ("all", "All reviews"), *ReviewStatus.choices]  # type: ignore[attr-defined]
