from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "casereviews.library"
    label = "library"
    verbose_name = "The library of published reports"
