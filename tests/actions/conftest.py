"""A Northshire review with a small plan: one finding, one recommendation to the partnership and two actions,
one owned by Children's social care (whose agency lead is the `agency_lead` persona) due in 90 days and one by the
Police due in 120 days."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from casereviews.actions.services import ActionInput, action_create, finding_create, recommendation_create
from casereviews.partnerships.models import Agency, Partnership
from tests.factories import make_review

OWN_AGENCY = "Children's social care"  # the agency the `agency_lead` persona leads


def action_input(partnership: Partnership, agency: str = OWN_AGENCY, **overrides: Any) -> ActionInput:
    values: dict[str, Any] = {
        "description": "Audit twenty strategy discussions for whether the father's history was sought.",
        "owner_agency_id": Agency.objects.get(partnership=partnership, name=agency).pk,
        "lead_name": "Head of safeguarding practice",
        "due_on": timezone.localdate() + datetime.timedelta(days=90),
        "expected_change": "Fathers and men in the household are known to every strategy discussion.",
        "success_measure": "A re-audit finds the father's history recorded in at least 18 of 20 discussions.",
    }
    values.update(overrides)
    return ActionInput(**values)


@pytest.fixture
def review(northshire, people):
    return make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")


@pytest.fixture
def plan(review, northshire, people):
    finding = finding_create(
        actor=people.manager,
        review=review,
        number=1,
        text="Information about the mother's new partner was held by one agency and not shared.",
    )
    recommendation = recommendation_create(
        actor=people.manager,
        review=review,
        number=1,
        text="The partnership should make sure agencies seek and share information about men in the household.",
        finding=finding,
        agency=None,
    )
    own = action_create(actor=people.manager, recommendation=recommendation, data=action_input(northshire))
    other = action_create(
        actor=people.manager,
        recommendation=recommendation,
        data=action_input(
            northshire,
            "Police",
            description="Brief every response officer on the new guidance.",
            due_on=timezone.localdate() + datetime.timedelta(days=120),
        ),
    )
    return SimpleNamespace(review=review, finding=finding, recommendation=recommendation, own=own, other=other)


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are enqueued (after the commit), so e-mail lands in the outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
