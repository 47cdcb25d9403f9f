from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "casereviews.search"
    label = "search"
    verbose_name = "Search of the public library"

    def ready(self) -> None:
        from casereviews.search import schedules, signals  # noqa: F401 - connects the change hooks, registers the job
