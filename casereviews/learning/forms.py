"""Forms for the learning pages: they parse what a person chose or typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from casereviews.learning import coding, vocabulary
from casereviews.learning.selectors import Selection, selection_choices
from casereviews.referrals.forms import GdsForm

YEAR_ERROR = "Enter a year such as 2021"


def _year(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={"invalid": YEAR_ERROR, "min_value": YEAR_ERROR, "max_value": YEAR_ERROR},
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
    )


def _select(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, widget=forms.Select(attrs={"class": "govuk-select"}))


def canonical_search(value: str) -> str:
    """A selection's search parameters, checked and in canonical form (no page, no sort), so the same search
    always has the same analysis address; "" when there is none."""
    from casereviews.search.alerts import search_request_of
    from casereviews.search.query import QueryError, parse_query

    params = value.strip().lstrip("?")
    if not params:
        return ""
    request = search_request_of(params)
    try:
        parse_query(request.q)
    except QueryError as error:
        raise forms.ValidationError(f"The search cannot be read: {error.message}") from None
    return str(request.to_params(sort="relevance").urlencode())


class SelectionForm(forms.Form):
    """The selection an analysis covers, from the query string, so every analysis has its own address."""

    published_from = _year("Published from (year)")
    published_to = _year("Published to (year)")
    incident_from = _year("Incident from (year)")
    incident_to = _year("Incident to (year)")
    nation = _select("Nation")
    region = _select("Region")
    partnership = _select("Partnership")
    framework = _select("Framework")
    review_type = _select("Type of review")
    search = forms.CharField(
        label="Only reviews matching a search",
        help_text="Set by “Analyse these reviews” on the search page or a saved search",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = selection_choices()
        self.fields["nation"].choices = [("", "All nations")] + [  # type: ignore[attr-defined]
            (code, vocabulary.NATIONS.get(code, code)) for code in choices["nation"]
        ]
        for name, everything in (
            ("region", "All regions"),
            ("framework", "All frameworks"),
            ("review_type", "All types"),
        ):
            self.fields[name].choices = [("", everything)] + [  # type: ignore[attr-defined]
                (value, value) for value in choices[name]
            ]
        self.fields["partnership"].choices = [("", "All partnerships")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in choices["partnership"]
        ]

    def clean_search(self) -> str:
        return canonical_search(self.cleaned_data.get("search", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("published_from", "published_to"), ("incident_from", "incident_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, "The end year must be the same as or after the start year")
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
            incident_from=data.get("incident_from"),
            incident_to=data.get("incident_to"),
            nation=data.get("nation") or "",
            region=data.get("region") or "",
            partnership=int(data["partnership"]) if data.get("partnership") else None,
            framework=data.get("framework") or "",
            review_type=data.get("review_type") or "",
            search=data.get("search") or "",
        )


THEME_KINDS: dict[str, tuple[str, dict[str, str]]] = {
    "risk_factor": ("A risk factor", vocabulary.RISK_FACTORS),
    "practice_theme": ("A practice theme", vocabulary.PRACTICE_THEMES),
    "age_band": ("An age band", vocabulary.AGE_BANDS),
    "harm_type": ("A type of harm", vocabulary.HARM_TYPES),
    "sector": ("A sector", coding.SECTORS),
}


def theme_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (label, [(f"{kind}:{code}", name) for code, name in codes.items()])
        for kind, (label, codes) in THEME_KINDS.items()
    ]


class BriefingDraftForm(GdsForm):
    theme = forms.ChoiceField(
        label="Theme or sector",
        error_messages={"required": "Choose a theme or sector", "invalid_choice": "Choose a theme or sector"},
        help_text="The briefing covers the confirmed reviews with this theme, or in which "
        "agencies of this sector were involved",
    )
    published_from = _year("Reviews published from (year, optional)")
    published_to = _year("Reviews published to (year, optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Choose a theme"), *theme_choices()]  # type: ignore[attr-defined]

    def clean_search(self) -> str:
        return canonical_search(self.cleaned_data.get("search", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("published_from") and data.get("published_to") and data["published_from"] > data["published_to"]:
            self.add_error("published_to", "The end year must be the same as or after the start year")
        return data

    def chosen_theme(self) -> tuple[str, str]:
        kind, _, code = self.cleaned_data["theme"].partition(":")
        return kind, code
