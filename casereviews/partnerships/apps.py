from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "casereviews.partnerships"
    label = "partnerships"
    verbose_name = "Partnerships and people"
