"""What every form of the service shares: a refused submission is logged (ASVS 7.1.3, input validation failures).

A page answers a form with errors by showing it again (a 200), so the request log alone cannot tell a refused
submission from a first visit. The line names the form, the fields refused and Django's error codes, never what was
typed: a refused field may hold a child's name or a password. It carries the request's id (core.logging), so it
sits beside the request's own line.
"""

from __future__ import annotations

import logging

from django import forms

security_logger = logging.getLogger("casereviews.security")


class ValidationLoggedForm(forms.Form):
    def full_clean(self) -> None:
        super().full_clean()
        # full_clean() has just filled `errors`; reading the property does not clean again.
        if self.is_bound and self.errors:
            errors = self.errors.as_data()  # {field name, or "__all__" for the form as a whole: [ValidationError]}
            refused = sorted(errors)
            codes = sorted({error.code or "invalid" for name in refused for error in errors[name]})
            security_logger.info(
                "Form refused: %s (fields: %s; codes: %s)",
                type(self).__name__,
                ", ".join(refused),
                ", ".join(codes) or "none",
            )
