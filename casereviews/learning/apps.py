from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "casereviews.learning"
    label = "learning"
    verbose_name = "Learning: analysis and briefings"

    def ready(self) -> None:
        from casereviews.learning import signals  # noqa: F401 - keeps the analysis records in step with the library
