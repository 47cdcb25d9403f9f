from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "casereviews.publication"
    label = "publication"
    verbose_name = "Publication"

    def ready(self) -> None:
        # Registers the job that closes publication windows with `core.schedules`.
        from casereviews.publication import schedules  # noqa: F401
