"""Forms for a partnership's people and roles: they parse what a person typed; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from casereviews.partnerships.models import Agency, Partnership, Role, User
from casereviews.partnerships.selectors import PARTNERSHIP_ROLES, person_named
from casereviews.referrals.forms import GdsForm


class RoleAddForm(GdsForm):
    person = forms.CharField(
        label="Their username or email address",
        max_length=254,
        help_text="They must already have an account. The service's administrators create accounts.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, role.label) for role in PARTNERSHIP_ROLES],
        widget=forms.RadioSelect,
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Agency they lead",
        help_text="Only for an agency lead",
        empty_label="Not an agency lead",
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["agency"]
        agency_field.queryset = Agency.objects.filter(partnership=partnership)

    def clean_person(self) -> User:
        person = person_named(self.cleaned_data["person"])
        if person is None:
            raise forms.ValidationError("No account has that username or email address")
        return person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.AGENCY_LEAD and data.get("agency") is None:
            self.add_error("agency", "Choose the agency they lead")
        return data


class RoleEndForm(GdsForm):
    """Only the confirmation button: which role is in the address."""
