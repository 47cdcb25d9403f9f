"""Search of the public library over the API: query, facets, paging. Mounted under /api/search/.

Open to anyone, like the search page: the index behind it holds only the public library's confirmed material.
Anonymous use is throttled by the project's `anon` rate.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from casereviews.api.base import ApiView
from casereviews.search import engine
from casereviews.search.selectors import FACET_LABELS, SORTS, SearchRequest, search_reports

# -- payloads -------------------------------------------------------------------------------------------------------


class SnippetSerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(help_text="The page of the report the snippet comes from")
    text = serializers.CharField(help_text="The snippet as plain text")
    html = serializers.CharField(help_text="The snippet as HTML: the text escaped, matched words in <mark>")
    url = serializers.CharField(help_text="The page of the report, with the matched words marked")


class SearchHitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(help_text="The report's entry in the public catalogue")
    values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Confirmed values by facet (codes from the controlled vocabulary)",
    )
    snippet = SnippetSerializer(allow_null=True)


class FacetValueSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField(
        help_text="Reports matching with this value added (the facet's own filter left out)"
    )
    selected = serializers.BooleanField()


class FacetSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    values = FacetValueSerializer(many=True)


class YearCountSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    count = serializers.IntegerField()


class SearchResultSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    count = serializers.IntegerField(help_text="Reports matching in all")
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = SearchHitSerializer(many=True)
    facets = FacetSerializer(many=True)
    years = YearCountSerializer(many=True)


class SearchErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What to change in the query")
    errors = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]


_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description='Words, "exact phrases", AND, OR, NOT and brackets; '
        "words side by side must all appear. Empty: every report.",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS), description="relevance (default) or date"),
    OpenApiParameter("page", OpenApiTypes.INT, description="From 1"),
    OpenApiParameter("per_page", OpenApiTypes.INT, description="1 to 100; default 20"),
    OpenApiParameter("year_from", OpenApiTypes.INT, description="Published in or after this year"),
    OpenApiParameter("year_to", OpenApiTypes.INT, description="Published in or before this year"),
    OpenApiParameter("snippets", OpenApiTypes.BOOL, description="Include snippets (default true)"),
    OpenApiParameter("facets", OpenApiTypes.BOOL, description="Include facet counts (default true)"),
    *[
        OpenApiParameter(name, OpenApiTypes.STR, many=True, description=f"{label}: one or more codes (any of them)")
        for name, label in FACET_LABELS.items()
    ],
]


def _flag(request: Request, name: str) -> bool:
    return str(request.query_params.get(name, "true")).lower() not in {"false", "0", "no"}


class SearchView(ApiView):
    """Search the public library."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        operation_id="search_reports",
        parameters=_PARAMETERS,
        responses={200: SearchResultSerializer, 400: SearchErrorSerializer, 503: SearchErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        search_request, errors = SearchRequest.from_params(request.query_params)
        search_request = SearchRequest(
            **{**search_request.__dict__, "facets": _flag(request, "facets"), "snippets": _flag(request, "snippets")}
        )
        if errors:
            return Response(
                {"detail": next(iter(errors.values())), "errors": errors}, status=status.HTTP_400_BAD_REQUEST
            )
        page = search_reports(search_request)
        if page.error:
            return Response({"detail": page.error, "errors": {"q": page.error}}, status=status.HTTP_400_BAD_REQUEST)
        if page.index_missing:
            return Response(
                {"detail": "Search is being prepared; try again in a few minutes.", "errors": {}},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        body = {
            "query": search_request.q,
            "count": page.total,
            "page": search_request.page,
            "per_page": search_request.per_page,
            "pages": page.page_count,
            "results": [
                {
                    "id": row.report_id,
                    "title": row.title,
                    "year": row.year,
                    "url": request.build_absolute_uri(row.url),
                    "values": {name: list(row.facets.get(name, ())) for name in engine.FACETS},
                    "snippet": {
                        "page": row.snippet_page,
                        "text": row.snippet_text,
                        "html": str(row.snippet_html),
                        "url": request.build_absolute_uri(row.snippet_url),
                    }
                    if row.snippet_html
                    else None,
                }
                for row in page.rows
            ],
            "facets": [
                {"name": group.name, "label": group.label, "values": [option.__dict__ for option in group.options]}
                for group in page.facets
            ],
            "years": [{"year": int(year), "count": count} for year, count in page.years],
        }
        return Response(SearchResultSerializer(body).data)


urlpatterns = [
    path("", SearchView.as_view(), name="search"),
]
