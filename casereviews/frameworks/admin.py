from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from pydantic import ValidationError

from casereviews.core.admin import AuditedAdmin
from casereviews.frameworks.models import StoredFramework
from casereviews.frameworks.schema import FrameworkDefinition


class StoredFrameworkForm(forms.ModelForm):
    class Meta:
        model = StoredFramework
        fields = ["definition"]

    def clean_definition(self) -> Any:
        definition = self.cleaned_data["definition"]
        try:
            FrameworkDefinition.model_validate(definition)
        except ValidationError as error:
            raise forms.ValidationError(f"This is not a valid framework definition: {error}") from error
        return definition


@admin.register(StoredFramework)
class StoredFrameworkAdmin(AuditedAdmin):
    form = StoredFrameworkForm
    list_display = ["code", "shipped_version", "edited_locally", "updated_at", "updated_by"]

    def save_model(self, request: HttpRequest, obj: StoredFramework, form: Any, change: bool) -> None:
        obj.edited_locally = True
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
