from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "casereviews.api"
    label = "api"
    verbose_name = "API"
