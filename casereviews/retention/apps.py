from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "casereviews.retention"
    label = "retention"
    verbose_name = "Retention schedule"

    def ready(self) -> None:
        from casereviews.retention import schedules  # noqa: F401 - registers the scheduled job
