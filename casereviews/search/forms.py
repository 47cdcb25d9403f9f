from __future__ import annotations

from django import forms

from casereviews.core.forms import ValidationLoggedForm


class AlertForm(ValidationLoggedForm):
    email = forms.CharField(
        label="E-mail address",
        max_length=254,
        help_text="We will send a link to this address to confirm it. Nothing else is sent until you follow it.",
        error_messages={"required": "Enter your e-mail address"},
    )
