"""A ``SearchRequest`` as Elasticsearch query bodies, and the response as ``SearchResults``.

The same rules as the database backend (``search.backends.database``), so one query gives the
same top results on both:

- the query is cut by ``search.text`` (``query_groups``: each word with its pinyin and synonyms);
  matching tries, each only when the one before matched nothing: every word (AND of the groups),
  any word (OR), when the last word is Latin the words as typed with the last one as a prefix
  ("straw", "caom"), and any character of the Chinese words (蜂蜜 → 蜂 or 蜜);
- the pinyin of a Chinese word matches with a constant tiny score: never above a character match;
- the title field weighs like the database backend's title;
- filters: language (this one, or none), then facets, distance and kinds in ``post_filter`` so the
  ``matched`` aggregation sees the text match alone (that decides whether to try the next step);
- counts: ``by_kind`` applies every filter but the kinds (the tabs show every kind's count), the
  facets apply them all; values are ordered by count, then label.
"""

import math
import re

from search.highlight import highlight
from search.registry import PRICE_BUCKETS, get_kind, price_label
from search.service import FacetValue, Hit, SearchRequest, SearchResults
from search.synonyms import synonym_map
from search.text import (
    _LATIN_WORD,
    _segment,
    characters_query,
    pinyin_alternatives,
    query_groups,
    query_terms,
)

from .documents import KEYWORD_FACETS, decode_label

TITLE_BOOST = 4
# A match through pinyin alone: below the relevance of any match of the characters themselves.
PINYIN_SCORE = 0.001
TEXT_FIELDS = [f"title^{TITLE_BOOST}", "text"]
# Facets whose values and labels are aggregated from ``facet_labels``; price is a range aggregation.
LABELLED_FACETS = ("village", "category", "amenities", "in_season", "certification")
FACET_SIZE = 50
MAX_RESULT_WINDOW = 10_000
# Private-use characters: they cannot occur in indexed tokens, so they only ever mark a match.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}")


def _multi_match(terms: list[str]) -> dict:
    return {"multi_match": {"query": " ".join(terms), "fields": TEXT_FIELDS, "operator": "or"}}


def _group_match(group: list[str]) -> dict:
    """One query word's group. The pinyin of a Chinese word matches with a constant, tiny score
    (as in the database backend, where it ranks nothing), so 米 found through "mi" never outranks
    蜜 found as itself."""
    pinyin = pinyin_alternatives(group)
    if not pinyin:
        return _multi_match(group)
    own = [t for t in group if t not in pinyin]
    return {
        "bool": {
            "should": [
                _multi_match(own),
                {"constant_score": {"filter": _multi_match(sorted(pinyin)), "boost": PINYIN_SCORE}},
            ],
            "minimum_should_match": 1,
        }
    }


def text_attempts(q: str, synonyms: dict[str, list[str]] | None = None) -> list[tuple[str, dict]]:
    """The AND / OR / prefix text queries for ``q``, in the order they are tried (``synonyms``:
    the staff's synonym map, read from the database when not given)."""
    groups = query_groups(q, synonym_map() if synonyms is None else synonyms)
    if not groups:
        return []
    if len(groups) == 1:
        attempts = [("and", _group_match(groups[0]))]
    else:
        attempts = [("and", {"bool": {"must": [_group_match(g) for g in groups]}})]
        attempts.append(("or", _multi_match([t for g in groups for t in g])))
    words = _segment(q, search_mode=False)
    if words and _LATIN_WORD.match(words[-1]):
        attempts.append(
            (
                "prefix",
                {
                    "multi_match": {
                        "query": " ".join(words),
                        "type": "bool_prefix",
                        "fields": TEXT_FIELDS,
                        "operator": "and",
                    }
                },
            )
        )
    characters = characters_query(q)
    if characters:
        # 蜂蜜 finds 茶花蜜 (indexed with each character: search.text.tokens).
        attempts.append(("characters", _multi_match(characters.split())))
    return attempts


def facet_filter(name: str, values: list[str]) -> dict | None:
    """The filter for one selected facet, its values OR-ed (an unknown value matches nothing,
    as in the database backend); ``None`` for a facet this backend does not know."""
    if name == "price":
        ranges = []
        for code, low, high in PRICE_BUCKETS:
            if code in values:
                bounds = {"gte": low}
                if high is not None:
                    bounds["lt"] = high
                ranges.append({"range": {"price_fen": bounds}})
        if not ranges:
            return {"match_none": {}}
        return ranges[0] if len(ranges) == 1 else {"bool": {"should": ranges, "minimum_should_match": 1}}
    if name == "in_season":
        months = sorted({int(v) for v in values if str(v).isdigit() and 1 <= int(v) <= 12})
        return {"terms": {"in_season": months}} if months else {"match_none": {}}
    if name in KEYWORD_FACETS:
        return {"terms": {name: list(values)}}
    return None


def near_filter(near) -> dict:
    lat, lon, km = near
    return {
        "geo_distance": {"distance": f"{float(km)}km", "location": {"lat": float(lat), "lon": float(lon)}}
    }


def _all(clauses: list[dict]) -> dict:
    if not clauses:
        return {"match_all": {}}
    return clauses[0] if len(clauses) == 1 else {"bool": {"filter": clauses}}


def _facet_aggs() -> dict:
    aggs = {
        name: {"terms": {"field": "facet_labels", "include": f"{name}\\|.*", "size": FACET_SIZE}}
        for name in LABELLED_FACETS
    }
    ranges = []
    for code, low, high in PRICE_BUCKETS:
        bucket = {"key": code, "from": low}
        if high is not None:
            bucket["to"] = high
        ranges.append(bucket)
    aggs["price"] = {"range": {"field": "price_fen", "keyed": True, "ranges": ranges}}
    return aggs


def page_window(request: SearchRequest) -> int:
    """The first hit of the requested page, kept inside Elasticsearch's result window."""
    last_reachable = max(1, (MAX_RESULT_WINDOW - request.per_page) // request.per_page + 1)
    return (min(request.page, last_reachable) - 1) * request.per_page


def build_search_body(request: SearchRequest, text_query: dict) -> dict:
    """The body for ``es.search`` for one text attempt of an already normalised request."""
    filters = []
    for name, values in sorted(request.facets.items()):
        clause = facet_filter(name, values)
        if clause is not None:
            filters.append(clause)
    if request.near:
        filters.append(near_filter(request.near))
    kinds = [{"terms": {"kind": list(request.kinds)}}] if request.kinds else []
    sort: list = ["_score"]
    if request.near:
        lat, lon, _km = request.near
        sort.append(
            {
                "_geo_distance": {
                    "location": {"lat": float(lat), "lon": float(lon)},
                    "order": "asc",
                    "unit": "km",
                }
            }
        )
    sort.append({"object_id": {"order": "asc"}})
    body = {
        "query": {
            "bool": {"must": [text_query], "filter": [{"terms": {"language": [request.language, ""]}}]}
        },
        "aggs": {
            "matched": {"filter": {"match_all": {}}},
            "by_kind": {
                "filter": _all(filters),
                "aggs": {"kind": {"terms": {"field": "kind", "size": FACET_SIZE}}},
            },
            "facets": {"filter": _all(filters + kinds), "aggs": _facet_aggs()},
        },
        "sort": sort,
        "from": page_window(request),
        "size": request.per_page,
        "track_total_hits": True,
        "_source": {"excludes": ["title", "text"]},
        "highlight": {
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            # Only which tokens matched is used (the snippet is cut from the readable summary).
            "fields": {
                "title": {"number_of_fragments": 0},
                "text": {"fragment_size": 100, "number_of_fragments": 3},
            },
        },
    }
    if filters or kinds:
        body["post_filter"] = _all(filters + kinds)
    return body


def build_suggest_body(q: str, limit: int, language: str = "zh-hans") -> dict | None:
    """Titles starting with what was typed (the last word as a prefix), as the database backend's
    autocomplete on titles; ``None`` when the query has no words."""
    words = _segment(q, search_mode=False)
    if not words:
        return None
    return {
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": " ".join(words),
                            "type": "bool_prefix",
                            "fields": ["title"],
                            "operator": "and",
                        }
                    }
                ],
                "filter": [{"terms": {"language": [language, ""]}}],
            }
        },
        "sort": ["_score", {"object_id": {"order": "asc"}}],
        "size": limit,
        "_source": ["kind", "name", "url"],
    }


# Parsing -------------------------------------------------------------------------------------


def _body(response) -> dict:
    return dict(response.body if hasattr(response, "body") else response)


def matched_count(response) -> int:
    """How many documents the text matched, before facets, distance and kinds."""
    return _body(response).get("aggregations", {}).get("matched", {}).get("doc_count", 0)


def matched_tokens(highlight_part: dict | None) -> list[str]:
    """The index tokens Elasticsearch marked as matching in a hit's highlight."""
    found = []
    for fragments in (highlight_part or {}).values():
        for fragment in fragments:
            found.extend(_MARKED.findall(fragment))
    return list(dict.fromkeys(t for t in found if t))


def parse_hit(raw: dict, terms: list[str]) -> Hit:
    source = raw.get("_source", {})
    kind = get_kind(source.get("kind", ""))
    words = list(dict.fromkeys([*terms, *matched_tokens(raw.get("highlight"))]))
    return Hit(
        kind=source.get("kind", ""),
        obj=source,
        title=source.get("name", ""),
        url=source.get("url", ""),
        snippet_html=highlight(source.get("summary") or source.get("name", ""), words),
        score=float(raw.get("_score") or 0.0),
        kind_label=str(kind.label) if kind else source.get("kind", ""),
        village=source.get("village_label", ""),
        price_fen=source.get("price_fen"),
        image_id=source.get("image_id"),
    )


def parse_facets(aggs: dict, request: SearchRequest) -> dict[str, list[FacetValue]]:
    facets: dict[str, list[FacetValue]] = {}
    part = aggs.get("facets", {})
    for name in LABELLED_FACETS:
        selected = set(request.facets.get(name, []))
        for bucket in part.get(name, {}).get("buckets", []):
            _name, value, label = decode_label(bucket["key"])
            if bucket.get("doc_count"):
                facets.setdefault(name, []).append(
                    FacetValue(value, label, bucket["doc_count"], value in selected)
                )
    price_buckets = part.get("price", {}).get("buckets", {})
    selected = set(request.facets.get("price", []))
    for code, _low, _high in PRICE_BUCKETS:
        count = price_buckets.get(code, {}).get("doc_count", 0)
        if count:
            facets.setdefault("price", []).append(
                FacetValue(code, price_label(code), count, code in selected)
            )
    for values in facets.values():
        values.sort(key=lambda v: (-v.count, v.label))
    return dict(sorted(facets.items()))


def parse_response(request: SearchRequest, response) -> SearchResults:
    """``SearchResults`` (hits, total, counts, facets, pages) from an ``es.search`` response; the
    backend adds the messages."""
    body = _body(response)
    hits_part = body.get("hits", {})
    total_part = hits_part.get("total", 0)
    total = total_part.get("value", 0) if isinstance(total_part, dict) else int(total_part or 0)
    aggs = body.get("aggregations", {})
    counts_by_kind = {
        bucket["key"]: bucket["doc_count"]
        for bucket in aggs.get("by_kind", {}).get("kind", {}).get("buckets", [])
        if bucket.get("doc_count")
    }
    terms = query_terms(request.q, synonym_map()) if request.q else []
    return SearchResults(
        hits=[parse_hit(raw, terms) for raw in hits_part.get("hits", [])],
        total=total,
        counts_by_kind=counts_by_kind,
        facets=parse_facets(aggs, request) if total else {},
        page=request.page,
        pages=max(1, math.ceil(total / request.per_page)) if total else 0,
        query=request.q,
    )


def parse_suggestions(response) -> list[dict]:
    out = []
    for raw in _body(response).get("hits", {}).get("hits", []):
        source = raw.get("_source", {})
        kind = get_kind(source.get("kind", ""))
        out.append(
            {
                "title": source.get("name", ""),
                "url": source.get("url", ""),
                "kind": source.get("kind", ""),
                "kind_label": str(kind.label) if kind else source.get("kind", ""),
            }
        )
    return out
