from __future__ import annotations

from allauth.mfa.models import Authenticator
from django import template

from casereviews.core import security_keys

register = template.Library()


@register.filter
def is_only_second_factor(authenticator: Authenticator) -> bool:
    return security_keys.is_only_second_factor(authenticator)


@register.filter
def has_security_key(user: object) -> bool:
    return security_keys.has_security_key(user)
