"""The search page and the search API: grouping, facets, highlighting, pagination, bad input
(never a 500), pinned query counts."""

import pytest
from django.db import connection
from django.urls import reverse

from attractions.models import AttractionIndexPage
from search.indexing import rebuild
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.homestays import (
    AmenityFactory,
    HomestayIndexPageFactory,
    HomestayPageFactory,
    RoomTypeFactory,
)
from tests.factories.town import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]
URL = "/search/"
SUGGEST = "/api/v1/search/suggest"
# Warm (synonyms cached, footer settings made): the base template's site, menu pages and footer,
# then the search's match check, counts by kind, one page of hits and facet counts.
# On PostgreSQL one more: the statement that plans the search through the GIN index
# (search/backends/database.py, _planned_through_the_index; outside a test's transaction, also
# the BEGIN and COMMIT around the search).
QUERIES_PER_SEARCH = 7 + (connection.vendor == "postgresql")
API = "/api/v1/search/"


@pytest.fixture
def town(home_page):
    """Two villages; a peach attraction and festival in one, homestays in both."""
    peach = VillageFactory(name="桃花坞", slug="taohuawu")
    tea = VillageFactory(name="茶山村", slug="chashan")
    attractions = AttractionIndexPageFactory(parent=home_page)
    AttractionPageFactory(
        parent=attractions, title="桃花坞古村", village=peach, intro="三月桃花环村，祠堂和石拱桥。"
    )
    events = EventIndexPageFactory(parent=home_page)
    EventPageFactory(parent=events, title="桃花坞桃花节", intro="三千亩桃花盛开。")
    homestays = HomestayIndexPageFactory(parent=home_page)
    wifi, parking = AmenityFactory(code="wifi"), AmenityFactory(code="parking")
    cheap = HomestayPageFactory(
        parent=homestays, title="桃园小筑", village=peach, summary="住在桃林里，三月看桃花。"
    )
    cheap.amenities.set([wifi])
    cheap.save_revision().publish()
    RoomTypeFactory(page=cheap, name="桃林大床房", base_price_fen=22800)
    dear = HomestayPageFactory(
        parent=homestays, title="云雾茶舍", village=tea, summary="茶山木屋，推窗看桃花和云海。"
    )
    dear.amenities.set([wifi, parking])
    dear.save_revision().publish()
    RoomTypeFactory(page=dear, name="云海木屋", base_price_fen=42000)
    rebuild()
    return {"peach": peach, "tea": tea}


def test_results_are_grouped_by_kind_with_counts_and_highlighted(client, town):
    response = client.get(URL, {"q": "桃花"})
    assert response.status_code == 200
    body = response.content.decode()
    results = response.context["results"]
    assert results.total == 4
    assert results.counts_by_kind == {"attraction": 1, "event": 1, "homestay": 2}
    assert [g["kind"] for g in response.context["groups"]] and {
        g["kind"] for g in response.context["groups"]
    } == {
        "attraction",
        "event",
        "homestay",
    }
    assert "<mark>桃花</mark>" in body
    assert 'search-kinds__count">2<' in body


def test_a_kind_tab_narrows_to_that_kind(client, town):
    response = client.get(URL, {"q": "桃花", "kind": "homestay"})
    assert {hit.kind for hit in response.context["results"].hits} == {"homestay"}
    assert response.context["results"].total == 2


def test_facets_count_and_narrow(client, town):
    response = client.get(URL, {"q": "桃花", "kind": "homestay"})
    facets = response.context["results"].facets
    assert {(v.value, v.count) for v in facets["village"]} == {("taohuawu", 1), ("chashan", 1)}
    assert {(v.value, v.count) for v in facets["amenities"]} == {("wifi", 2), ("parking", 1)}
    assert {(v.value, v.count) for v in facets["price"]} == {("100-300", 1), ("300-600", 1)}

    narrowed = client.get(URL, {"q": "桃花", "kind": "homestay", "amenities": "parking"})
    assert [hit.title for hit in narrowed.context["results"].hits] == ["云雾茶舍"]
    parking = next(v for v in narrowed.context["results"].facets["amenities"] if v.value == "parking")
    assert parking.selected
    by_price = client.get(URL, {"q": "桃花", "price": "100-300"})
    assert [hit.title for hit in by_price.context["results"].hits] == ["桃园小筑"]
    assert by_price.context["results"].hits[0].price_fen == 22800


def test_facet_links_toggle_their_value(client, town):
    response = client.get(URL, {"q": "桃花", "kind": "homestay"})
    village = next(f for f in response.context["facets"] if f["name"] == "village")
    link = next(item["url"] for item in village["values"] if item["value"].value == "chashan")
    narrowed = client.get(URL + link)
    assert [hit.title for hit in narrowed.context["results"].hits] == ["云雾茶舍"]


def test_an_empty_query_shows_popular_searches(client, town, settings):
    settings.TIANYUAN_POPULAR_SEARCHES = ["桃花节", "民宿"]
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["results"].message
    assert "?q=%E6%A1%83%E8%8A%B1%E8%8A%82" in body  # 桃花节


def test_nothing_found_says_so_and_suggests(client, town, settings):
    settings.TIANYUAN_POPULAR_SEARCHES = ["桃花节"]
    response = client.get(URL, {"q": "火星基地"})
    assert response.status_code == 200
    assert response.context["results"].total == 0
    assert "火星基地" in response.context["results"].message
    assert response.context["results"].suggestions == ["桃花节"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": "！？。，…—— !!! ???"},
        {"q": "桃花" * 150},
        {"q": "桃花 taohua festival 🌸 <script>alert(1)</script>"},
        {"q": "桃花", "village": "no-such-village"},
        {"q": "桃花", "price": "free", "in_season": "13", "category": "x" * 500},
        {"q": "桃花", "kind": "no-such-kind"},
        {"q": "桃花", "page": "abc"},
        {"q": "桃花", "page": "99999"},
        {"q": "桃花", "page": "-3"},
        {"q": "%", "page": "1e9"},
        {"q": "\x00桃花"},
        {"q": "桃花", "amenities": "\x00wifi"},
    ],
)
def test_bad_input_gets_a_page_never_an_error(client, town, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_long_query_is_shortened_with_a_message(client, town):
    response = client.get(URL, {"q": "桃花" + "x" * 300})
    results = response.context["results"]
    assert len(results.query) == 200
    assert "200" in results.message


def test_punctuation_only_gets_a_message(client, town):
    response = client.get(URL, {"q": "！？。"})
    assert response.context["results"].total == 0
    assert response.context["results"].message


def test_unknown_facet_values_find_nothing_and_offer_to_clear(client, town):
    response = client.get(URL, {"q": "桃花", "village": "no-such-village"})
    assert response.context["results"].total == 0
    assert "Search again without filters" in response.content.decode() or response.context["has_filters"]


def test_a_page_past_the_end_shows_the_last_page_with_a_message(client, town):
    response = client.get(URL, {"q": "桃花", "page": "99999"})
    results = response.context["results"]
    assert results.page == results.pages == 1
    assert len(results.hits) == 4
    assert "99999" in results.message


def test_matches_are_escaped_before_they_are_marked(client, home_page):
    attractions = AttractionIndexPageFactory(parent=home_page)
    AttractionPageFactory(parent=attractions, title="古桥", intro='桃花 < 石桥 & "古道" <script>x</script>')
    rebuild()
    body = client.get(URL, {"q": "桃花"}).content.decode()
    assert "<mark>桃花</mark> &lt; 石桥 &amp; &quot;古道&quot;" in body
    assert "<script>x</script>" not in body


def test_pinyin_matches_are_highlighted_on_the_chinese_words(client, town):
    hits = client.get(URL, {"q": "taohua", "kind": "attraction"}).context["results"].hits
    assert "<mark>桃花</mark>" in hits[0].snippet_html


def test_the_english_page_of_results(client, town):
    response = client.get("/en/search/", {"q": "桃花"})
    assert response.status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_results(client, town, django_assert_num_queries):
    client.get(URL, {"q": "桃花"})  # warm up
    with django_assert_num_queries(QUERIES_PER_SEARCH):
        client.get(URL, {"q": "桃花"})
    attractions = AttractionIndexPage.objects.get()
    for n in range(8):
        AttractionPageFactory(parent=attractions, title=f"桃花景点{n}", village=town["tea"])
    with django_assert_num_queries(QUERIES_PER_SEARCH):
        response = client.get(URL, {"q": "桃花"})
    assert response.context["results"].total == 12


def test_suggest_api_lists_titles_as_the_visitor_types(client, town):
    response = client.get(SUGGEST, {"q": "桃花"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "桃花"
    titles = [item["title"] for item in data["results"]]
    assert "桃花坞桃花节" in titles
    assert all(item["url"] and item["kind_label"] for item in data["results"])


def test_suggest_api_finds_partial_pinyin(client, town):
    titles = [item["title"] for item in client.get(SUGGEST, {"q": "taoh"}).json()["results"]]
    assert "桃花坞古村" in titles


@pytest.mark.parametrize("q", ["", "   ", "！？。", "桃" * 500, "<script>", "桃花 taohua 🌸", "\x00桃花"])
def test_suggest_api_answers_odd_queries_with_a_list(client, town, q):
    response = client.get(SUGGEST, {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("limit", ["abc", "0", "999"])
def test_suggest_api_rejects_a_bad_limit_with_422(client, town, limit):
    assert client.get(SUGGEST, {"q": "桃花", "limit": limit}).status_code == 422


def test_search_api_returns_hits_counts_and_facets(client, town):
    response = client.get(API, {"q": "桃花", "kind": "homestay", "amenities": "parking"})
    assert response.status_code == 200
    data = response.json()
    assert [hit["title"] for hit in data["hits"]] == ["云雾茶舍"]
    assert data["counts_by_kind"]["homestay"] == 1
    assert any(v["value"] == "parking" and v["selected"] for v in data["facets"]["amenities"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "桃花", "page": "abc"}, 422),
        ({"q": "桃花", "page": "99999"}, 200),
        ({"q": "桃花", "page": "0"}, 422),
        ({"q": "", "village": "nope"}, 200),
        ({"q": "!!!"}, 200),
        ({"q": "桃花" * 200}, 200),
        ({"q": "\x00桃花", "village": "\x00"}, 200),
    ],
)
def test_search_api_bad_input(client, town, params, status):
    assert client.get(API, params).status_code == status


def test_search_page_url_is_named():
    assert reverse("search") == URL


def test_suggest_runs_one_query_whatever_the_number_of_matches(client, town, django_assert_num_queries):
    client.get(SUGGEST, {"q": "桃花"})  # warm up: the synonym map is cached
    with django_assert_num_queries(1):
        first = client.get(SUGGEST, {"q": "桃花"}).json()["results"]
    attractions = AttractionIndexPage.objects.get()
    for n in range(5):
        AttractionPageFactory(parent=attractions, title=f"桃花景点{n}")
    with django_assert_num_queries(1):
        second = client.get(SUGGEST, {"q": "桃花"}).json()["results"]
    assert len(second) > len(first)


def test_when_no_item_has_every_word_items_with_some_of_them_are_shown_with_a_message(client, town):
    results = client.get(URL, {"q": "古村 火星"}).context["results"]
    assert [hit.title for hit in results.hits] == ["桃花坞古村"]
    assert results.message


def test_mixed_script_queries_find_both_halves(client, town):
    results = client.get(URL, {"q": "桃花 wifi"}).context["results"]
    assert {hit.title for hit in results.hits} == {"桃园小筑", "云雾茶舍"}


# Issue 20, item 10: on a phone the results come first, the filters fold; months in order.


def test_the_filters_fold_behind_one_button_and_the_results_follow(client, town):
    html = client.get(URL, {"q": "桃花"}).content.decode()
    fold = html.index('<details class="search-filters"')
    assert " open" not in html[fold : html.index(">", fold)]  # folded until a filter is chosen
    assert fold < html.index('class="search-results"')
    assert "search/filters.js" in html


def test_the_filters_stay_open_once_one_is_chosen(client, town):
    html = client.get(URL, {"q": "桃花", "village": "taohuawu"}).content.decode()
    fold = html.index('<details class="search-filters"')
    assert " open" in html[fold : html.index(">", fold)]


def test_the_month_facet_is_in_calendar_order():
    from search.service import FacetValue, SearchResults, sort_month_facet

    results = SearchResults(
        hits=[],
        total=3,
        counts_by_kind={},
        facets={"in_season": [FacetValue(str(m), f"{m}月", 9 - m) for m in (12, 3, 10, 1)]},
        page=1,
        pages=1,
    )
    sort_month_facet(results)
    assert [v.value for v in results.facets["in_season"]] == ["1", "3", "10", "12"]


def test_the_pages_tab_is_not_called_pagination():
    from django.utils import translation

    from search.registry import get_kind

    with translation.override("zh-hans"):
        assert str(get_kind("page").label) == "页面"
    with translation.override("en"):
        assert str(get_kind("page").label) == "Pages"


def test_facets_of_many_hits_are_counted_among_the_first_ones_and_say_so(client, town, monkeypatch):
    """Facet counts cost a join of every hit to its facet rows: past FACET_CANDIDATES hits they
    are taken among the oldest that many, and the page and the API say so (issue 21)."""
    from search.backends import database

    everything = client.get(URL, {"q": "桃花"}).context["results"]
    assert everything.total == 4 and everything.facets_among is None
    assert sum(v.count for v in everything.facets["village"]) == 3

    monkeypatch.setattr(database, "FACET_CANDIDATES", 2)
    response = client.get(URL, {"q": "桃花"})
    results = response.context["results"]
    assert results.total == 4  # the hits and their count are whole
    assert len(results.hits) == 4
    assert results.facets_among == 2
    assert sum(v.count for v in results.facets["village"]) <= 2
    assert "Counted among the first 2 results." in response.text or "前 2 条" in response.text
    assert client.get(API, {"q": "桃花"}).json()["facets_among"] == 2
