import pytest
from django.core.management import CommandError, call_command

from casereviews.actions.models import Action
from casereviews.partnerships.models import Partnership, User
from casereviews.referrals.models import Referral
from casereviews.reviews.models import Review, ReviewStatus

pytestmark = pytest.mark.django_db


def demo_counts() -> tuple[int, int, int, int]:
    return Partnership.objects.count(), User.objects.count(), Referral.objects.count(), Review.objects.count()


def test_the_demo_gives_every_persona_an_account_referrals_reviews_and_an_action_plan_once(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    counts = demo_counts()
    actions = Action.objects.count()
    assert counts[0] == 2 and counts[2] > 0 and counts[3] > 0
    assert actions > 0
    assert Review.objects.filter(status=ReviewStatus.SIGNED_OFF, findings__isnull=False).exists()
    out = capsys.readouterr().out
    assert "TOTP secret" in out and "reviews." in out

    call_command("load_demo")
    assert demo_counts() == counts
    assert Action.objects.count() == actions


def test_the_demo_refuses_to_load_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo")
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo_publications")
