from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "casereviews.referrals"
    label = "referrals"
    verbose_name = "Referrals and decisions"

    def ready(self) -> None:
        from casereviews.referrals import schedules  # noqa: F401 - registers the scheduled jobs
