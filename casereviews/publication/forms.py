"""Forms for publication: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from casereviews.publication.models import FindingDecision
from casereviews.referrals.forms import GdsForm, VersionedForm


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CaseKeyForm(VersionedForm):
    deny_list = forms.CharField(
        label="Real names and details to find and redact",
        help_text=(
            "One a line: the names of the child, family members and professionals; addresses; dates of birth; "
            "schools and nurseries. Everything here is confidential and never published."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter at least one real name or detail of the case to look for"},
    )
    allow_list = forms.CharField(
        label="Pseudonym key: names the report may use",
        help_text="One a line: the pseudonyms and role names used in the report, such as Child T, Mother, Ashley.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def deny(self) -> list[str]:
        return _lines(self.cleaned_data["deny_list"])

    def allow(self) -> list[str]:
        return _lines(self.cleaned_data["allow_list"])


class FindingDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="What should happen to this text?",
        choices=[(FindingDecision.REDACT, "Redact it"), (FindingDecision.KEEP, "Keep it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose redact or keep"},
    )
    replacement = forms.CharField(
        label="Label to print instead (optional)",
        help_text="For example, [child’s school]. Left blank, it reads [redacted].",
        required=False,
        max_length=60,
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required when the text is kept: for example, it is an agency’s name and identifies nobody.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkDecisionForm(GdsForm):
    finding_type = forms.ChoiceField(
        label="Which findings?", error_messages={"required": "Choose which findings to decide"}
    )
    decision = forms.ChoiceField(
        label="What should happen to them?",
        choices=[(FindingDecision.REDACT, "Redact them all"), (FindingDecision.KEEP, "Keep them all")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose redact or keep"},
    )
    replacement = forms.CharField(label="Label to print instead (optional)", required=False, max_length=60)
    reason = forms.CharField(
        label="Reason",
        help_text="Required when they are kept",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, pending_by_type: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["finding_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(kind, f"{kind} ({count} undecided)") for kind, count in sorted(pending_by_type.items())]


class ManualRedactionForm(GdsForm):
    text = forms.CharField(
        label="Exact text to redact",
        max_length=500,
        help_text="As it is written in the draft",
        error_messages={"required": "Enter the text to redact"},
    )
    page = forms.IntegerField(
        label="Page (optional)", required=False, min_value=1, help_text="Leave blank to redact it on every page"
    )
    replacement = forms.CharField(label="Label to print instead (optional)", required=False, max_length=60)
    reason = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(VersionedForm):
    summary = forms.CharField(
        label="Summary for the public page",
        help_text="Two or three sentences about the review, using only the pseudonym. It is checked against the "
        "case key.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        error_messages={"required": "Write the summary for the public page"},
    )


class ReportRequestForm(GdsForm):
    name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Enter your name"})
    email = forms.EmailField(
        label="Email address",
        help_text="We send the answer here",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = forms.CharField(label="Organisation (optional)", required=False, max_length=200)
    reason = forms.CharField(
        label="Why do you want the report?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why you want the report"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"


class RequestAnswerForm(VersionedForm):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=[("grant", "Grant: email a download link"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose grant or refuse"},
    )
    reason = forms.CharField(
        label="Reason for refusing",
        help_text="Sent to the person who asked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
