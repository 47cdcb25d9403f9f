from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FrameworksConfig(AppConfig):
    name = "casereviews.frameworks"
    label = "frameworks"
    verbose_name = "Statutory frameworks"

    def ready(self) -> None:
        from casereviews.frameworks.services import framework_definitions_sync_after_migrate

        post_migrate.connect(framework_definitions_sync_after_migrate, sender=self)
