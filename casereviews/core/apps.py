from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casereviews.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from casereviews.core import (
            checks,  # noqa: F401 - registers the deployment checks (check --deploy)
            security_keys,  # noqa: F401 - connects the security keys' audit receivers
            signals,  # noqa: F401 - connects the sign-in audit receivers
        )
