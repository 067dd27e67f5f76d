"""A translated homestay still links the village chosen in Chinese: the English reader reads the
village's English name on the search cards and the homestay page (issue 20: names in the
visitor's language all along the booking path), in a number of queries that does not grow with
the homestays found."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.home import en_locale, translate
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory
from tests.factories.town import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

CHINESE, ENGLISH = "桃花坞", "Peach Blossom Hollow"


@pytest.fixture
def village(db):
    village = VillageFactory(name=CHINESE, slug="taohuawu")
    english = village.copy_for_translation(en_locale())
    english.name = ENGLISH
    english.save()
    return village


def homestay_in(index_page, village, n):
    """A homestay of ``village`` with a room, and its English page (which links the same,
    Chinese, village: translating a page copies its foreign keys)."""
    page = HomestayPageFactory(parent=index_page, title=f"溪畔人家 {n}", village=village)
    RoomTypeFactory(page=page, base_price_fen=30000)
    english = translate(page, title=f"Creekside House {n}")
    assert english.village_id == village.pk
    return page, english


def stay(monday):
    check_out = monday + timedelta(days=2)
    return {"check_in": monday.isoformat(), "check_out": check_out.isoformat(), "guests": 2}


def english_index(english_homestay):
    return english_homestay.get_parent().url


@pytest.mark.parametrize("searched", [True, False], ids=["with-dates", "without-dates"])
def test_english_search_cards_name_the_village_in_english(client, index_page, village, monday, searched):
    page, english = homestay_in(index_page, village, 1)
    html = client.get(english_index(english), stay(monday) if searched else {}).text
    assert english.title in html
    assert ENGLISH in html and CHINESE not in html
    chinese = client.get(index_page.url, stay(monday) if searched else {}).text
    assert page.title in chinese
    assert CHINESE in chinese and ENGLISH not in chinese


def test_english_homestay_page_names_the_village_in_english(client, index_page, village):
    page, english = homestay_in(index_page, village, 1)
    html = client.get(english.url).text
    assert ENGLISH in html and CHINESE not in html
    chinese = client.get(page.url).text
    assert CHINESE in chinese and ENGLISH not in chinese


def search_queries(client, url, monday):
    for _warm in range(2):  # the site's caches (site, locales, fragments) settle in two requests
        client.get(url, stay(monday))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, stay(monday))
    assert response.status_code == 200
    return len(queries.captured_queries), response.context["result_count"]()


def test_english_search_queries_do_not_grow_with_the_homestays(client, index_page, village, monday):
    homestays = [homestay_in(index_page, village, n) for n in range(3)]
    url = english_index(homestays[0][1])
    three, found = search_queries(client, url, monday)
    assert found == 3
    other = VillageFactory(name="茶山村", slug="chashan")
    other.copy_for_translation(en_locale()).save()
    homestays += [homestay_in(index_page, village if n % 2 else other, n) for n in range(3, 12)]
    twelve, found = search_queries(client, url, monday)
    assert found == 12
    assert twelve == three
