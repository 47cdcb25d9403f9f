"""Forms for the library pages: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from casereviews.library.models import ReportStatus
from casereviews.library.services import CODE_FIELDS
from casereviews.referrals.forms import GdsForm, MultipleFileField

CODE_FIELD_LABELS = {
    "harm_types": "Harm types",
    "risk_factors": "Risk factors",
    "practice_themes": "Practice themes",
}


class UploadForm(GdsForm):
    reports = MultipleFileField(
        label="Files to upload",
        help_text="PDF, Word (.docx), HTML or plain text (UTF-8) files. You can choose more than one.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # crispy-forms-gds styles only the widgets it knows; a multiple-file input is not one of them.
        self.fields["reports"].widget.attrs.update({"accept": ".pdf,.docx,.html,.htm,.txt",
                                                    "class": "govuk-file-upload"})

    def clean_reports(self) -> list[Any]:
        # The shared multiple-file field returns an empty list rather than applying `required`.
        files: list[Any] = self.cleaned_data["reports"]
        if not files:
            raise forms.ValidationError("Choose at least one file to upload")
        return files


class DecisionForm(GdsForm):
    """One person's decision on one proposed value. The page renders it per value, so ids carry the value's id."""

    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("correct", "Correct"), ("reject", "Reject")])
    value = forms.CharField(label="Correct value", required=False, max_length=5000)
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, value_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"value-{value_id}-%s")
        super().__init__(*args, **kwargs)


def code_choices(present: Iterable[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every vocabulary code the report does not already carry, grouped by field, as `field:code` choices."""
    taken = set(present)
    return [
        (CODE_FIELD_LABELS[field], [(f"{field}:{code}", label) for code, label in codes.items()
                                    if (field, code) not in taken])
        for field, codes in CODE_FIELDS.items()
    ]


class CodeAddForm(GdsForm):
    code = forms.ChoiceField(label="Code the machine missed")
    note = forms.CharField(
        label="Where the report says so (optional)",
        help_text="For example, the page and a few words of the passage",
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, present: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "add-%s")
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "Choose a code"), *code_choices(present)]  # type: ignore[attr-defined]

    def field_and_code(self) -> tuple[str, str]:
        field, _, code = self.cleaned_data["code"].partition(":")
        return field, code


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ReportStatus.choices]
    )
