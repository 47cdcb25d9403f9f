from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "casereviews.referrals"
    label = "referrals"
    verbose_name = "Referrals and decisions"
