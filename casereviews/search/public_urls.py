"""Addresses at the site's root for harvesters and crawlers: the OAI-PMH endpoint, the sitemap and robots.txt."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from casereviews.search import views
from casereviews.search.sitemaps import SITEMAPS

urlpatterns = [
    path("oai", views.oai_pmh, name="oai"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "search/sitemap.xml", "content_type": "application/xml"},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
