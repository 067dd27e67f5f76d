"""The search page: one box, results grouped by kind with counts, facets, pagination.

Thin: reads the query string into a ``SearchRequest``, calls the search service, and prepares
links (facet toggles, kind tabs) so the template only displays.
"""

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .registry import FACET_NAMES, get_kind
from .service import SearchRequest
from .service import search as run_search

PER_PAGE = 20
FACET_PARAMS = [name for name in FACET_NAMES if name != "kind"]
FACET_TITLES = {
    "village": _("Village"),
    "category": _("Category"),
    "price": _("Price per night / item"),
    "amenities": _("Amenities"),
    "in_season": _("In season"),
    "certification": _("Certified"),
}


def request_from_query(query, language) -> SearchRequest:
    """A ``SearchRequest`` from a query string (the service cleans and bounds every value)."""
    return SearchRequest(
        q=query.get("q", ""),
        kinds=[k for k in query.getlist("kind") if k] or None,
        facets={name: query.getlist(name) for name in FACET_PARAMS if query.getlist(name)},
        page=query.get("page", 1),
        per_page=PER_PAGE,
        language=language,
    )


def _link(query, **changes) -> str:
    params = query.copy()
    params.pop("page", None)
    for name, (value, on) in changes.items():
        values = [v for v in params.getlist(name) if v != value]
        if on:
            values.append(value)
        params.setlist(name, values)
    encoded = params.urlencode()
    return "?" + encoded if encoded else "?"


def _groups(hits):
    """Hits grouped by kind, groups in the order of their best hit."""
    groups = {}
    for hit in hits:
        group = groups.setdefault(hit.kind, {"kind": hit.kind, "label": hit.kind_label, "hits": []})
        group["hits"].append(hit)
    return list(groups.values())


def search(request):
    query = request.GET
    search_request = request_from_query(query, get_language())
    results = run_search(search_request)
    selected_kinds = search_request.kinds or []

    base = query.copy()
    base.setlist("kind", [])
    kind_tabs = [
        {
            "kind": None,
            "label": _("All"),
            "count": sum(results.counts_by_kind.values()),
            "url": "?" + base.urlencode() if base else "?",
            "selected": not selected_kinds,
        }
    ]
    for kind_name, count in sorted(
        results.counts_by_kind.items(), key=lambda item: (getattr(get_kind(item[0]), "order", 100), item[0])
    ):
        kind = get_kind(kind_name)
        kind_tabs.append(
            {
                "kind": kind_name,
                "label": kind.label if kind else kind_name,
                "count": count,
                "url": _link(base, kind=(kind_name, True)),
                "selected": kind_name in selected_kinds,
            }
        )

    facets = [
        {
            "name": name,
            "title": FACET_TITLES.get(name, name),
            "values": [
                {"value": v, "url": _link(query, **{name: (v.value, not v.selected)})}
                for v in results.facets.get(name, [])
            ],
        }
        for name in FACET_PARAMS
        if results.facets.get(name)
    ]

    page_obj = None
    if results.total:
        page_obj = Paginator(range(results.total), search_request.per_page).page(results.page)

    context = {
        "search_query": results.query,
        "results": results,
        "groups": _groups(results.hits),
        "kind_tabs": kind_tabs if results.total or selected_kinds else [],
        "facets": facets,
        "page_obj": page_obj,
        "has_filters": bool(search_request.facets or selected_kinds),
        "clear_filters_url": "?" + _clear(query),
    }
    return TemplateResponse(request, "search/search.html", context)


def _clear(query) -> str:
    params = query.copy()
    for name in [*FACET_PARAMS, "kind", "page"]:
        params.pop(name, None)
    return params.urlencode()
