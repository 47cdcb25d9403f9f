from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casereviews.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from casereviews.core import signals  # noqa: F401 - connects the sign-in audit receivers
