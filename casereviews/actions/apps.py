from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "casereviews.actions"
    label = "actions"
    verbose_name = "Action plans"

    def ready(self) -> None:
        # Registers the reminder job with core.schedules.
        from casereviews.actions import schedules  # noqa: F401
