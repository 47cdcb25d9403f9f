from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "casereviews.reviews"
    label = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from casereviews.reviews import schedules  # noqa: F401 - registers the scheduled job
