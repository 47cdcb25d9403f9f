"""The demo reviews load through the services, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from casereviews.core.audit import audit_verify
from casereviews.partnerships.models import User
from casereviews.reviews.demo import DEMO_PSEUDONYMS, load_demo_reviews
from casereviews.reviews.models import Review, ReviewStatus
from casereviews.reviews.selectors import review_is_on_hold
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_demo_reviews_cover_each_stage_and_load_only_once(settings):
    settings.DEBUG = True
    assert load_demo_reviews() == 0  # nothing to add to before the demo partnerships exist
    call_command("load_demo", verbosity=0)  # which adds the demo reviews
    assert load_demo_reviews() == 0
    statuses = dict(Review.objects.filter(pseudonym__in=DEMO_PSEUDONYMS).values_list("pseudonym", "status"))
    assert statuses == {
        "Child A": ReviewStatus.IN_PROGRESS,
        "Child S": ReviewStatus.QUALITY_ASSURANCE,
        "Child B": ReviewStatus.SIGNED_OFF,
        "Child D": ReviewStatus.SET_UP,
    }
    assert review_is_on_hold(Review.objects.get(pseudonym="Child A"))
    assert audit_verify()[1] is None


def test_every_demo_review_page_renders_for_its_partnerships_business_manager(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    for review in Review.objects.select_related("partnership"):
        manager = review.partnership.memberships.get(role="business_manager").user
        client = signed_in(manager)
        assert client.get(reverse("reviews:detail", args=[review.reference])).status_code == 200
        assert client.get(reverse("reviews:qa", args=[review.reference])).status_code == 200
    assert signed_in(User.objects.get(username="bella")).get(reverse("reviews:dashboard")).status_code == 200
