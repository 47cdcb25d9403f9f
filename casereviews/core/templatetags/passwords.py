from __future__ import annotations

from django import template

from casereviews.core import passwords

register = template.Library()


@register.simple_tag
def password_rules() -> dict[str, int]:
    """The minimum and maximum length and strength score a new password needs (AUTH_PASSWORD_VALIDATORS)."""
    return passwords.password_rules()
