from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casereviews.core"
    label = "core"
    verbose_name = "Core"
