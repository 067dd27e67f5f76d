"""Elasticsearch query bodies compared with the exact JSON sent, and a response of the shape
Elasticsearch 8 returns parsed into ``SearchResults``; the backend's answers when there is
nothing to ask, or no server to ask."""

import socket

import pytest
from django.utils import translation

from search.elastic.backend import ElasticsearchBackend
from search.elastic.queries import (
    MARK_END,
    MARK_START,
    build_search_body,
    build_suggest_body,
    matched_count,
    page_window,
    parse_response,
    parse_suggestions,
    text_attempts,
)
from search.service import SearchRequest, search, suggest

FIELDS = ["title^4", "text"]
LANGUAGE = {"terms": {"language": ["zh-hans", ""]}}
FACET_AGGS = {
    "village": {"terms": {"field": "facet_labels", "include": "village\\|.*", "size": 50}},
    "category": {"terms": {"field": "facet_labels", "include": "category\\|.*", "size": 50}},
    "amenities": {"terms": {"field": "facet_labels", "include": "amenities\\|.*", "size": 50}},
    "in_season": {"terms": {"field": "facet_labels", "include": "in_season\\|.*", "size": 50}},
    "certification": {"terms": {"field": "facet_labels", "include": "certification\\|.*", "size": 50}},
    "price": {
        "range": {
            "field": "price_fen",
            "keyed": True,
            "ranges": [
                {"key": "0-100", "from": 0, "to": 10000},
                {"key": "100-300", "from": 10000, "to": 30000},
                {"key": "300-600", "from": 30000, "to": 60000},
                {"key": "600+", "from": 60000},
            ],
        }
    },
}
HIGHLIGHT = {
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "fields": {"title": {"number_of_fragments": 0}, "text": {"fragment_size": 100, "number_of_fragments": 3}},
}
SYNONYMS = {"采摘": ["picking", "摘果"], "picking": ["采摘", "摘果"]}


def multi_match(query):
    return {"multi_match": {"query": query, "fields": FIELDS, "operator": "or"}}


# -- text ----------------------------------------------------------------------------------------


def word_or_pinyin(own, pinyin):
    """A Chinese word's group: the word (and its synonyms), or its pinyin at a constant tiny score."""
    return {
        "bool": {
            "should": [
                multi_match(own),
                {"constant_score": {"filter": multi_match(pinyin), "boost": 0.001}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_one_chinese_word_matches_the_word_or_its_pinyin_then_any_of_its_characters():
    assert text_attempts("草莓", {}) == [
        ("and", word_or_pinyin("草莓", "caomei")),
        ("characters", multi_match("草 莓")),
    ]


def test_one_chinese_character_is_not_split_further():
    assert text_attempts("蜜", {}) == [("and", word_or_pinyin("蜜", "mi"))]


def test_every_word_must_match_then_any_word_with_synonyms_expanded():
    assert text_attempts("草莓 采摘", SYNONYMS) == [
        (
            "and",
            {
                "bool": {
                    "must": [
                        word_or_pinyin("草莓", "caomei"),
                        word_or_pinyin("采摘 picking 摘果", "caizhai"),
                    ]
                }
            },
        ),
        ("or", multi_match("草莓 caomei 采摘 caizhai picking 摘果")),
        ("characters", multi_match("草 莓 采 摘")),
    ]


def test_a_latin_last_word_is_also_tried_as_a_prefix():
    assert text_attempts("straw", {}) == [
        ("and", multi_match("straw")),
        (
            "prefix",
            {"multi_match": {"query": "straw", "type": "bool_prefix", "fields": FIELDS, "operator": "and"}},
        ),
    ]


def test_spaced_pinyin_is_also_matched_joined():
    attempts = dict(text_attempts("tao hua", {}))
    assert attempts["and"] == {"bool": {"must": [multi_match("tao taohua"), multi_match("hua taohua")]}}


@pytest.mark.parametrize("q", ["", "   ", "!!!", "。，、？", "😀🍓"])
def test_a_query_without_words_asks_nothing(q):
    assert text_attempts(q, {}) == []


# -- the whole body ------------------------------------------------------------------------------


def test_plain_query_body():
    request = SearchRequest(q="草莓")
    body = build_search_body(request, multi_match("草莓 caomei"))
    assert body == {
        "query": {"bool": {"must": [multi_match("草莓 caomei")], "filter": [LANGUAGE]}},
        "aggs": {
            "matched": {"filter": {"match_all": {}}},
            "by_kind": {
                "filter": {"match_all": {}},
                "aggs": {"kind": {"terms": {"field": "kind", "size": 50}}},
            },
            "facets": {"filter": {"match_all": {}}, "aggs": FACET_AGGS},
        },
        "sort": ["_score", {"object_id": {"order": "asc"}}],
        "from": 0,
        "size": 20,
        "track_total_hits": True,
        "_source": {"excludes": ["title", "text"]},
        "highlight": HIGHLIGHT,
    }


def test_facets_kinds_distance_and_page_body():
    request = SearchRequest(
        q="民宿",
        kinds=["homestay"],
        facets={
            "village": ["taohuawu", "qingxi"],
            "price": ["100-300", "600+"],
            "in_season": ["3", "13", "x"],
        },
        near=(29.62, 118.25, 5),
        page=3,
        per_page=10,
        language="en",
    )
    text = multi_match("民宿 minsu")
    facet_filters = [
        {"terms": {"in_season": [3]}},
        {
            "bool": {
                "should": [
                    {"range": {"price_fen": {"gte": 10000, "lt": 30000}}},
                    {"range": {"price_fen": {"gte": 60000}}},
                ],
                "minimum_should_match": 1,
            }
        },
        {"terms": {"village": ["taohuawu", "qingxi"]}},
        {"geo_distance": {"distance": "5.0km", "location": {"lat": 29.62, "lon": 118.25}}},
    ]
    kinds = {"terms": {"kind": ["homestay"]}}
    assert build_search_body(request, text) == {
        "query": {"bool": {"must": [text], "filter": [{"terms": {"language": ["en", ""]}}]}},
        "aggs": {
            "matched": {"filter": {"match_all": {}}},
            # Tabs count every kind: all filters but the kinds.
            "by_kind": {
                "filter": {"bool": {"filter": facet_filters}},
                "aggs": {"kind": {"terms": {"field": "kind", "size": 50}}},
            },
            "facets": {"filter": {"bool": {"filter": [*facet_filters, kinds]}}, "aggs": FACET_AGGS},
        },
        "sort": [
            "_score",
            {"_geo_distance": {"location": {"lat": 29.62, "lon": 118.25}, "order": "asc", "unit": "km"}},
            {"object_id": {"order": "asc"}},
        ],
        "from": 20,
        "size": 10,
        "track_total_hits": True,
        "_source": {"excludes": ["title", "text"]},
        "highlight": HIGHLIGHT,
        "post_filter": {"bool": {"filter": [*facet_filters, kinds]}},
    }


@pytest.mark.parametrize(
    ("facets", "expected"),
    [
        ({"price": ["cheap"]}, {"match_none": {}}),
        ({"in_season": ["0", "13"]}, {"match_none": {}}),
        ({"amenities": ["wifi"]}, {"terms": {"amenities": ["wifi"]}}),
        ({"certification": ["organic"]}, {"terms": {"certification": ["organic"]}}),
        ({"price": ["0-100"]}, {"range": {"price_fen": {"gte": 0, "lt": 10000}}}),
    ],
)
def test_unknown_facet_values_match_nothing_rather_than_fail(facets, expected):
    body = build_search_body(SearchRequest(q="x", facets=facets), multi_match("x"))
    assert body["post_filter"] == expected


def test_deep_pages_stay_inside_the_result_window():
    assert page_window(SearchRequest(q="x", page=2, per_page=20)) == 20
    assert page_window(SearchRequest(q="x", page=10_000, per_page=20)) == 9_980
    assert page_window(SearchRequest(q="x", page=10_000, per_page=50)) == 9_950


def test_suggest_body_prefixes_the_last_word_of_the_title():
    assert build_suggest_body("桃花 j", 5) == {
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": "桃花 j",
                            "type": "bool_prefix",
                            "fields": ["title"],
                            "operator": "and",
                        }
                    }
                ],
                "filter": [LANGUAGE],
            }
        },
        "sort": ["_score", {"object_id": {"order": "asc"}}],
        "size": 5,
        "_source": ["kind", "name", "url"],
    }
    assert build_suggest_body("？！", 5) is None


# -- parsing -------------------------------------------------------------------------------------

RESPONSE = {
    "took": 3,
    "timed_out": False,
    "_shards": {"total": 2, "successful": 2, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 23, "relation": "eq"},
        "max_score": 7.5,
        "hits": [
            {
                "_index": "tianyuan_experience-20261129093000000000",
                "_id": "experience-12",
                "_score": 7.5,
                "_source": {
                    "kind": "experience",
                    "object_id": "12",
                    "language": "zh-hans",
                    "village": ["taohuawu"],
                    "category": ["picking"],
                    "amenities": [],
                    "in_season": [3, 4],
                    "price_fen": 8000,
                    "location": {"lat": 29.62, "lon": 118.25},
                    "facet_labels": ["village|taohuawu|桃花坞"],
                    "name": "草莓采摘",
                    "summary": "在大棚里亲手采摘新鲜草莓 <b>",
                    "url": "/experiences/strawberry/",
                    "village_label": "桃花坞",
                    "image_id": 5,
                    "order": 5,
                },
                "highlight": {"title": [f"{MARK_START}草莓{MARK_END} 采摘 {MARK_START}caomei{MARK_END}"]},
                "sort": [7.5, "12"],
            },
            {
                "_index": "tianyuan_product-20261129093000000000",
                "_id": "product-3",
                "_score": 6.25,
                "_source": {
                    "kind": "product",
                    "object_id": "3",
                    "language": "",
                    "name": "奶油草莓",
                    "summary": "",
                    "url": "/shop/3/",
                    "village_label": "",
                    "image_id": None,
                    "price_fen": 4500,
                },
            },
        ],
    },
    "aggregations": {
        "matched": {"doc_count": 31},
        "by_kind": {
            "doc_count": 23,
            "kind": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [{"key": "product", "doc_count": 15}, {"key": "experience", "doc_count": 8}],
            },
        },
        "facets": {
            "doc_count": 23,
            "village": {
                "doc_count_error_upper_bound": 0,
                "sum_other_doc_count": 0,
                "buckets": [
                    {"key": "village|taohuawu|桃花坞", "doc_count": 9},
                    {"key": "village|qingxi|青溪村", "doc_count": 9},
                    {"key": "village|chashan|茶山村", "doc_count": 2},
                ],
            },
            "category": {"buckets": [{"key": "category|fruit|水果", "doc_count": 15}]},
            "amenities": {"buckets": []},
            "in_season": {
                "buckets": [
                    {"key": "in_season|4|四月", "doc_count": 3},
                    {"key": "in_season|3|三月", "doc_count": 3},
                ]
            },
            "price": {
                "buckets": {
                    "0-100": {"from": 0.0, "to": 10000.0, "doc_count": 20},
                    "100-300": {"from": 10000.0, "to": 30000.0, "doc_count": 3},
                    "300-600": {"from": 30000.0, "to": 60000.0, "doc_count": 0},
                    "600+": {"from": 60000.0, "doc_count": 0},
                }
            },
        },
    },
}


@pytest.mark.django_db
def test_response_becomes_search_results():
    request = SearchRequest(q="草莓", facets={"village": ["qingxi"]}, per_page=10)
    results = parse_response(request, RESPONSE)

    assert results.total == 23
    assert results.pages == 3
    assert results.page == 1
    assert results.counts_by_kind == {"product": 15, "experience": 8}
    first, second = results.hits
    assert (first.kind, first.title, first.url, first.score) == (
        "experience",
        "草莓采摘",
        "/experiences/strawberry/",
        7.5,
    )
    assert (first.village, first.price_fen, first.image_id) == ("桃花坞", 8000, 5)
    assert first.snippet_html == "在大棚里亲手采摘新鲜<mark>草莓</mark> &lt;b&gt;"
    assert first.obj["object_id"] == "12"
    # No summary: the name is the snippet.
    assert (second.kind, second.snippet_html, second.image_id) == ("product", "奶油<mark>草莓</mark>", None)
    facets = {
        name: [(v.value, v.label, v.count, v.selected) for v in values]
        for name, values in results.facets.items()
    }
    assert facets == {
        "category": [("fruit", "水果", 15, False)],
        "in_season": [("3", "三月", 3, False), ("4", "四月", 3, False)],
        "price": [("0-100", "¥0–100", 20, False), ("100-300", "¥100–300", 3, False)],
        # By count, then label (as the database backend orders them); the selected one is marked.
        "village": [
            ("taohuawu", "桃花坞", 9, False),
            ("qingxi", "青溪村", 9, True),
            ("chashan", "茶山村", 2, False),
        ],
    }
    assert matched_count(RESPONSE) == 31


@pytest.mark.django_db
def test_an_empty_response_has_no_pages_and_no_facets():
    empty = {
        "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []},
        "aggregations": {"matched": {"doc_count": 0}},
    }
    results = parse_response(SearchRequest(q="x"), empty)
    assert (results.total, results.pages, results.hits, results.facets, results.counts_by_kind) == (
        0,
        0,
        [],
        {},
        {},
    )
    assert matched_count(empty) == 0


def test_suggestions_are_titles_with_urls_and_kind_labels():
    suggestions = parse_suggestions(RESPONSE)
    assert [(s["title"], s["url"], s["kind"]) for s in suggestions] == [
        ("草莓采摘", "/experiences/strawberry/", "experience"),
        ("奶油草莓", "/shop/3/", "product"),
    ]
    assert all(s["kind_label"] for s in suggestions)


# -- the backend without a server ----------------------------------------------------------------


@pytest.fixture
def no_server(settings):
    """ELASTICSEARCH_URL pointing at a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{port}"
    settings.TIANYUAN_SEARCH_BACKEND = "elasticsearch"
    return settings


@pytest.mark.django_db
def test_an_empty_query_asks_the_visitor_to_type_without_calling_the_server(no_server):
    no_server.TIANYUAN_POPULAR_SEARCHES = ["草莓采摘", "桃花节"]
    results = ElasticsearchBackend().search(SearchRequest(q=""))
    assert results.hits == [] and results.total == 0
    assert results.message
    assert results.suggestions == ["草莓采摘", "桃花节"]


@pytest.mark.django_db
def test_punctuation_only_gets_a_message(no_server):
    results = ElasticsearchBackend().search(SearchRequest(q="？？！！"))
    assert results.total == 0
    assert results.message


@pytest.mark.django_db
def test_an_unreachable_server_gives_a_message_not_an_error(no_server):
    with translation.override("en"):
        results = search(SearchRequest(q="草莓" * 150, facets={"price": ["cheap"]}))
    assert results.total == 0
    assert results.hits == []
    # The service adds its notice that the query was shortened before the backend's message.
    assert results.message.startswith("Your search was shortened to its first 200 characters.")
    assert results.message.endswith("Search is unavailable just now. Please try again in a moment.")
    assert results.query == ("草莓" * 150)[:200]


@pytest.mark.django_db
def test_suggest_without_a_server_is_empty(no_server):
    assert suggest("tao") == []
    assert ElasticsearchBackend().suggest("？", 5) == []
