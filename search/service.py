"""The search service: the one entry point the search page, listing filters and autocomplete call.

``search(SearchRequest(...))`` and ``suggest(q)`` dispatch to the backend named by
``settings.TIANYUAN_SEARCH_BACKEND``: ``"database"`` (``search.backends.database.DatabaseBackend``,
Wagtail's database search) or ``"elasticsearch"`` (``search.elastic.backend.ElasticsearchBackend``).
A backend is a class taking no arguments with ``.search(request) -> SearchResults`` and
``.suggest(q, limit) -> list[dict]`` (each ``{"title", "url", "kind", "kind_label"}``).
Both receive a request that ``normalise_request`` has already cleaned (query stripped and cut to
200 characters, unknown kinds and facet names dropped, page clamped to at least 1).
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .registry import FACET_NAMES, get_kind
from .text import MAX_QUERY_LENGTH, clean_query, strip_controls

BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.elastic.backend.ElasticsearchBackend",
}
MAX_PER_PAGE = 50


@dataclass
class SearchRequest:
    q: str
    kinds: list[str] | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    # (latitude, longitude, radius in km)
    near: tuple[float, float, float] | None = None
    language: str = "zh-hans"


@dataclass
class Hit:
    kind: str
    obj: Any  # the backend's record (database: a SearchEntry; Elasticsearch: the hit/document)
    title: str
    url: str
    snippet_html: str  # safe HTML: escaped text with <mark> around matched words
    score: float = 0.0
    kind_label: str = ""
    village: str = ""
    price_fen: int | None = None
    image_id: int | None = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    counts_by_kind: dict[str, int]
    facets: dict[str, list[FacetValue]]
    page: int
    pages: int
    message: str = ""
    suggestions: list[str] = field(default_factory=list)
    query: str = ""
    # Set when the facet counts were taken among this many of the hits only (more were found).
    facets_among: int | None = None


def empty_results(request: SearchRequest, message: str = "") -> SearchResults:
    return SearchResults(
        hits=[], total=0, counts_by_kind={}, facets={}, page=1, pages=0, message=message, query=request.q
    )


def normalise_request(request: SearchRequest) -> tuple[SearchRequest, str]:
    """Clean a request in place of raising: returns it with a message for anything dropped."""
    message = ""
    raw = request.q or ""
    if len(" ".join(strip_controls(raw).split())) > MAX_QUERY_LENGTH:
        message = str(
            _("Your search was shortened to its first %(count)d characters.") % {"count": MAX_QUERY_LENGTH}
        )
    request.q = clean_query(raw)
    if request.kinds:
        request.kinds = [k for k in request.kinds if get_kind(k)] or None
    request.facets = {
        name: [strip_controls(str(v))[:100] for v in values if strip_controls(str(v)).strip()][:20]
        for name, values in (request.facets or {}).items()
        if name in FACET_NAMES and name != "kind"
    }
    request.facets = {name: values for name, values in request.facets.items() if values}
    try:
        request.page = max(1, int(request.page))
    except (TypeError, ValueError):
        request.page = 1
    try:
        request.per_page = min(MAX_PER_PAGE, max(1, int(request.per_page)))
    except (TypeError, ValueError):
        request.per_page = 20
    return request, message


def get_backend():
    name = getattr(settings, "TIANYUAN_SEARCH_BACKEND", "database")
    return import_string(BACKENDS.get(name, name))()


def search(request: SearchRequest) -> SearchResults:
    request, message = normalise_request(request)
    results = get_backend().search(request)
    sort_month_facet(results)
    if message:
        results.message = f"{message} {results.message}".strip()
    results.query = request.q
    return results


def sort_month_facet(results: SearchResults) -> None:
    """The months of the "in season" facet in calendar order (January first), not by count:
    a visitor looks a month up, whichever backend counted them."""
    months = results.facets.get("in_season")
    if months:
        months.sort(key=lambda v: int(v.value) if v.value.isdigit() else 99)


def suggest(q: str, limit: int = 8, language: str = "zh-hans") -> list[dict]:
    q = clean_query(q)
    if not q:
        return []
    limit = min(max(1, int(limit)), 20)
    return get_backend().suggest(q, limit, language=language)
