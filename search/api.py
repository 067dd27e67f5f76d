"""JSON API for search: the autocomplete the search box uses, and the full search (django-ninja).

``q`` is free text (empty, long or punctuation-only queries get an empty list or a message, never
an error); ``limit``/``page`` are typed, so malformed numbers get ninja's 422.
"""

from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from . import service
from .views import FACET_PARAMS

router = Router(tags=["search"])
LANGUAGES = ("zh-hans", "en")


class SuggestionOut(Schema):
    title: str
    url: str
    kind: str
    kind_label: str


class SuggestOut(Schema):
    query: str
    results: list[SuggestionOut]


class SuggestQuery(Schema):
    q: str = ""
    limit: int = Field(8, ge=1, le=20)
    lang: str = ""


class HitOut(Schema):
    kind: str
    kind_label: str
    title: str
    url: str
    snippet_html: str
    village: str
    price_fen: int | None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    query: str
    total: int
    page: int
    pages: int
    message: str
    counts_by_kind: dict[str, int]
    facets: dict[str, list[FacetValueOut]]
    # Set when the facet counts were taken among this many of the hits only.
    facets_among: int | None = None
    hits: list[HitOut]
    suggestions: list[str]


class SearchQuery(Schema):
    q: str = ""
    kind: list[str] = Field(default_factory=list)
    village: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    price: list[str] = Field(default_factory=list)
    amenities: list[str] = Field(default_factory=list)
    in_season: list[str] = Field(default_factory=list)
    certification: list[str] = Field(default_factory=list)
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=service.MAX_PER_PAGE)
    lang: str = ""


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else (get_language() or "zh-hans")


@router.get("/suggest", response=SuggestOut, url_name="search_suggest")
def suggest(request, query: Query[SuggestQuery]):
    q = service.clean_query(query.q)
    return {"query": q, "results": service.suggest(q, query.limit, language=_language(query.lang))}


@router.get("/", response=SearchOut, url_name="search")
def search(request, query: Query[SearchQuery]):
    results = service.search(
        service.SearchRequest(
            q=query.q,
            kinds=query.kind or None,
            facets={name: getattr(query, name) for name in FACET_PARAMS if getattr(query, name)},
            page=query.page,
            per_page=query.per_page,
            language=_language(query.lang),
        )
    )
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "message": str(results.message),
        "counts_by_kind": results.counts_by_kind,
        "facets": {name: [vars(v) for v in values] for name, values in results.facets.items()},
        "facets_among": results.facets_among,
        "hits": [
            {
                "kind": h.kind,
                "kind_label": str(h.kind_label),
                "title": h.title,
                "url": h.url,
                "snippet_html": str(h.snippet_html),
                "village": h.village,
                "price_fen": h.price_fen,
            }
            for h in results.hits
        ],
        "suggestions": results.suggestions,
    }
