"""The availability search at town scale (issue 21 item 3): candidates walked in order and counted up
to a cap, so a search costs the same at 50 and 5,000 homestays; the results and their order stay
those of the rules in Python; pages past the end answer the last page.

The cap is 500 in the site; these tests lower it (``selectors.COUNT_CAP``) so a handful of homestays
reaches it.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import translation

from homestays import selectors
from homestays.models import RateRuleKind, RoomType
from tests.factories.home import translate
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory
from tests.homestays.test_search_sql import book, python_path

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
AVAILABILITY = "/api/v1/homestays/availability"
CAP = 3


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", CAP)
    return CAP


def _homestays(index_page, n, rooms=1):
    pages = [HomestayPageFactory(parent=index_page) for _i in range(n)]
    for page in pages:
        for _j in range(rooms):
            RoomTypeFactory(page=page, units=1)
    return pages


def _stay(monday, **extra):
    return {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=2)).isoformat(),
        "guests": 2,
        **extra,
    }


def test_the_count_stops_at_the_cap_and_says_so(index_page, monday, cap):
    pages = _homestays(index_page, cap + 2)
    found = selectors.search_homestays(monday, monday + timedelta(days=2), 2, per_page=2)
    assert (found.paginator.count, found.paginator.count_exact, found.paginator.num_pages) == (cap, False, 2)
    # Only the first ``cap`` homestays in the tourism office's order can be paged through.
    last = selectors.search_homestays(monday, monday + timedelta(days=2), 2, page=2, per_page=2)
    shown = [r.homestay.pk for r in found.object_list + last.object_list]
    assert shown == [p.pk for p in pages[:cap]]


def test_a_count_at_the_cap_is_exact(index_page, monday, cap):
    _homestays(index_page, cap)
    found = selectors.search_homestays(monday, monday + timedelta(days=2), 2)
    assert (found.paginator.count, found.paginator.count_exact) == (cap, True)


def test_the_cap_counts_homestays_that_fit_not_those_walked_past(index_page, monday, cap):
    pages = _homestays(index_page, cap + 2)
    full = RoomType.objects.get(page=pages[0])
    book(full, monday, monday + timedelta(days=1))  # its only room is taken on the first night
    found = selectors.search_homestays(monday, monday + timedelta(days=2), 2)
    assert (found.paginator.count, found.paginator.count_exact) == (cap, False)
    assert [r.homestay.pk for r in found.object_list] == [p.pk for p in pages[1 : cap + 1]]


def test_the_results_page_says_more_than_the_cap_in_both_languages(client, index_page, monday, cap):
    pages = _homestays(index_page, cap + 1)
    response = client.get(index_page.url, _stay(monday))
    assert response.status_code == 200
    assert f"超过 {cap} 家民宿有适合您行程的房间" in response.text
    assert f"仅显示前 {cap} 家" in response.text
    english_index = translate(pages[0], "en").get_parent()
    with translation.override("en"):
        response = client.get(english_index.url, _stay(monday))
    assert response.status_code == 200
    assert f"More than {cap} homestays have rooms for your stay" in response.text
    assert f"Showing the first {cap}:" in response.text


def test_below_the_cap_the_results_page_gives_the_exact_count(client, index_page, monday, cap):
    _homestays(index_page, cap - 1)
    response = client.get(index_page.url, _stay(monday))
    assert response.context["result_count"]() == cap - 1 and response.context["result_count_exact"]()
    assert "超过" not in response.text


def test_the_api_counts_room_types_up_to_the_cap(client, index_page, monday, cap):
    _homestays(index_page, 2, rooms=2)  # four room types
    page = client.get(AVAILABILITY, _stay(monday, per_page=2)).json()
    assert (page["count"], page["count_exact"], page["pages"], len(page["results"])) == (cap, False, 2, 2)
    last = client.get(AVAILABILITY, _stay(monday, per_page=2, page=2)).json()
    assert (last["page"], len(last["results"])) == (2, 1)


def test_the_api_count_is_exact_below_the_cap(client, index_page, monday, cap):
    _homestays(index_page, cap - 1)
    page = client.get(AVAILABILITY, _stay(monday)).json()
    assert (page["count"], page["count_exact"]) == (cap - 1, True)


def test_api_pages_last_and_past_the_end(client, index_page, monday):
    rooms = [RoomType.objects.get(page=page) for page in _homestays(index_page, 5)]
    last = client.get(AVAILABILITY, _stay(monday, per_page=2, page=3)).json()
    assert (last["count"], last["count_exact"], last["page"], last["pages"]) == (5, True, 3, 3)
    assert [r["room_type_id"] for r in last["results"]] == [rooms[4].pk]
    # Past the end: the last page, as the results page does (Paginator.get_page).
    past = client.get(AVAILABILITY, _stay(monday, per_page=2, page=7))
    assert past.status_code == 200
    assert (past.json()["page"], past.json()["results"]) == (3, last["results"])


def test_api_with_nothing_free_has_no_pages(client, index_page, monday):
    page = client.get(AVAILABILITY, _stay(monday, page=4)).json()
    assert (page["count"], page["count_exact"], page["pages"], page["results"]) == (0, True, 0, [])


def test_the_openapi_schema_documents_the_capped_count(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["AvailabilityPageOut"]
    assert "count_exact" in schema["required"]
    assert "500" in schema["properties"]["count"]["description"]
    assert "500" in schema["properties"]["count_exact"]["description"]


@pytest.fixture
def mixed_town(index_page, monday):
    """Homestays in a known tree order whose rooms fit or fail a stay for different reasons."""
    day = lambda n: monday + timedelta(days=n)  # noqa: E731
    homes = [HomestayPageFactory(parent=index_page) for _i in range(7)]
    RoomTypeFactory(page=homes[0], units=1, sort_order=1, base_price_fen=30000)
    RoomTypeFactory(page=homes[0], units=2, sort_order=0, max_guests=4, base_price_fen=50000)
    taken = RoomTypeFactory(page=homes[1], units=1)
    book(taken, day(1), day(2))
    RoomTypeFactory(page=homes[1], units=3, max_guests=4)
    closed = RoomTypeFactory(page=homes[2], units=2)
    RoomRateRuleFactory(room_type=closed, kind=RateRuleKind.CLOSED, start_date=day(3), end_date=day(3))
    RoomTypeFactory(page=homes[3], units=1, min_nights=3)
    pair = RoomTypeFactory(page=homes[4], units=2)
    book(pair, day(0), day(4))
    RoomTypeFactory(page=homes[5], units=1, base_price_fen=90000)
    RoomTypeFactory(page=homes[6], units=2, max_guests=4)
    return homes


def _walk(search, stay, rooms, per_page=3):
    """Every result of ``search``, page after page as a visitor pages through them (each page asked
    once: the walk is the costliest test of the module and CI runs it at five moments)."""
    first = search(*stay, rooms=rooms, per_page=per_page)
    results = list(first.object_list)
    for n in range(2, first.paginator.num_pages + 1):
        results += search(*stay, rooms=rooms, page=n, per_page=per_page).object_list
    return results


def test_walked_results_and_order_are_those_of_the_rules_in_python(mixed_town, monday):
    """The walk in the tourism office's order finds exactly the room types the Python rules find,
    in (homestay order, room order), for the results page and the API alike, page by page."""
    compared = 0
    for start, nights, guests, rooms in itertools.product(range(0, 5), (1, 2, 3), (1, 2, 4), (1, 2)):
        check_in = monday + timedelta(days=start)
        check_out = check_in + timedelta(days=nights)
        fits = python_path(check_in, check_out, guests, rooms)
        in_order = RoomType.objects.filter(pk__in=fits).order_by("page__path", "sort_order", "pk")
        expected = list(in_order.values_list("pk", "page_id"))
        stay = (check_in, check_out, guests)
        api = [r.room_type.pk for r in _walk(selectors.search_room_types, stay, rooms)]
        assert api == [pk for pk, _page in expected], (check_in, nights, guests, rooms)
        homestays = [
            (r.homestay.pk, sorted(room.room_type.pk for room in r.rooms))
            for r in _walk(selectors.search_homestays, stay, rooms)
        ]
        by_page = {}
        for pk, page_id in expected:
            by_page.setdefault(page_id, []).append(pk)
        assert homestays == [(page_id, sorted(pks)) for page_id, pks in by_page.items()]
        compared += len(expected)
    assert compared > 100  # the town fits often enough for the comparison to mean something
