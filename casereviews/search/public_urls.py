"""Addresses at the site's root for harvesters and crawlers: the OAI-PMH endpoint, the sitemap and robots.txt."""

from django.urls import path

from casereviews.search import views

urlpatterns = [
    path("oai", views.oai_pmh, name="oai"),
]
