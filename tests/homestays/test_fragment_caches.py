"""The homestay page's rooms and calendars and the homestay index's results are remembered
({% showingcache %}: town.page_cache.cached_showing), and still show a booking, a cancellation, a
closure or a price change on the very next request, in the visitor's language, with the visitor's
own CSRF token. The full-page cache is off here, as for a visitor with a session."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from homestays.models import RateRuleKind, RoomType
from orders.models import ReservationKind
from orders.reservations import Claim, cancel, reserve
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory
from town.page_cache import CSRF_PLACEHOLDER as CSRF_HOLE

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def room(homestay):
    return RoomTypeFactory(page=homestay, name="山景房", units=3, max_guests=2, base_price_fen=30000)


def book(room, night, rooms=1):
    return reserve([Claim(ReservationKind.STAY, room.pk, rooms, night, night + timedelta(days=1))])


def get(client, url, data=None):
    """(html, rooms read): whether the request read the room types, i.e. missed the fragment."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    read = any("homestays_roomtype" in query["sql"] for query in queries.captured_queries)
    return response.content.decode(), read


def night_state(html, night):
    found = re.search(rf'data-date="{night.isoformat()}" data-state="(\w+)"', html)
    return found.group(1) if found else None


def remembered(client, url, data=None):
    """The page until its fragment is remembered (the first visit makes the footer's settings
    row, which moves the content version): the last answer comes from the cache, reading no room."""
    get(client, url, data)
    get(client, url, data)
    html, read = get(client, url, data)
    assert not read
    return html


def month(night):
    return {"month": night.strftime("%Y-%m")}


def test_a_booking_shows_on_the_calendar_at_the_next_request(client, room, monday):
    html = remembered(client, room.page.url, month(monday))
    assert night_state(html, monday) == "free"

    (held,) = book(room, monday, rooms=2)
    html, read = get(client, room.page.url, month(monday))
    assert read and night_state(html, monday) == "few"
    assert re.search(rf'data-date="{monday.isoformat()}" data-state="few">\s*<span class="day-number">', html)
    assert "剩 1 间" in html

    cancel([held.pk])
    html, read = get(client, room.page.url, month(monday))
    assert read and night_state(html, monday) == "free"


def test_the_last_room_booked_turns_the_stay_into_the_waiting_list(client, room, monday):
    stay = {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=1)).isoformat(),
        "guests": 2,
    }
    html = remembered(client, room.page.url, stay)
    assert 'class="add-stay"' in html and "orders_waitlist" not in html

    book(room, monday, rooms=3)
    html, read = get(client, room.page.url, stay)
    assert read
    assert 'class="add-stay"' not in html
    assert "kind=stay&amp;room_type_id=" in html  # the waiting list's link
    assert night_state(html, monday) == "full"


def test_a_closure_shows_at_the_next_request(client, room, monday):
    assert night_state(remembered(client, room.page.url, month(monday)), monday) == "free"

    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday)
    html, read = get(client, room.page.url, month(monday))
    assert read and night_state(html, monday) == "closed"


def test_a_price_change_shows_at_the_next_request(client, room, monday):
    html = remembered(client, room.page.url, month(monday))
    assert "¥456" not in html

    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.PRICE, start_date=monday, price_fen=45600)
    html, read = get(client, room.page.url, month(monday))
    assert read and "¥456" in html


def test_english_shows_english_and_chinese_stays_chinese(client, room, monday, en_locale):
    english = room.page.copy_for_translation(en_locale, copy_parents=True)
    english.save_revision().publish()
    RoomType.objects.filter(page=english).update(name="Mountain view room")

    chinese = remembered(client, room.page.url, month(monday))
    in_english = remembered(client, english.url, month(monday))
    assert "山景房" in chinese and '<h2 id="rooms-heading">房型</h2>' in chinese
    assert "Mountain view room" in in_english and "山景房" not in in_english
    assert '<h2 id="rooms-heading">Rooms</h2>' in in_english
    # The English page sells the Chinese rooms: a booking of them shows there too.
    book(room, monday, rooms=2)
    html, read = get(client, english.url, month(monday))
    assert read and night_state(html, monday) == "few" and "1 left" in html


def test_each_visitor_gets_their_own_csrf_token_in_the_add_form(room, monday):
    stay = {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=1)).isoformat(),
        "guests": 2,
    }
    tokens = []
    for _i in range(2):
        visitor = Client()
        html, _read = get(visitor, room.page.url, stay)
        assert CSRF_HOLE not in html
        (token,) = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', html)
        tokens.append((token, visitor.cookies["csrftoken"].value))
    # Each token is its visitor's: made from their own cookie's secret, which differ.
    assert tokens[0][1] != tokens[1][1]
    assert tokens[0][0] != tokens[1][0]


def test_the_search_shows_a_booking_at_the_next_request(client, index_page, room, monday):
    stay = {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=1)).isoformat(),
        "guests": 2,
    }
    html = remembered(client, index_page.url, stay)
    assert room.page.title in html and "stay-card__left" not in html

    book(room, monday)
    html, read = get(client, index_page.url, stay)
    assert read and "仅剩 2 间" in html

    # Another homestay whose last room is taken is not in the results, so none of its rooms' stock
    # tags are on them: its cancellation still shows it (the search reads every room's claims).
    other = RoomTypeFactory(page=HomestayPageFactory(parent=index_page, title="竹林居"), units=1)
    (taken,) = book(other, monday)
    html = remembered(client, index_page.url, stay)
    assert room.page.title in html and "竹林居" not in html
    cancel([taken.pk])
    html, read = get(client, index_page.url, stay)
    assert read and "竹林居" in html


def test_the_search_shows_a_closure_and_the_listing_a_price_change(client, index_page, room, monday):
    stay = {
        "check_in": monday.isoformat(),
        "check_out": (monday + timedelta(days=1)).isoformat(),
        "guests": 2,
    }
    assert room.page.title in remembered(client, index_page.url, stay)
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday)
    html, read = get(client, index_page.url, stay)
    assert read and room.page.title not in html

    assert "¥300" in remembered(client, index_page.url)
    room.base_price_fen = 25000
    room.save()
    html, read = get(client, index_page.url)
    assert read and "¥250" in html and "¥300" not in html


def test_a_search_form_with_errors_is_never_remembered(client, index_page, room, monday):
    wrong = {"check_in": monday.isoformat(), "check_out": monday.isoformat(), "guests": 2}
    for _i in range(2):
        html, read = get(client, index_page.url, wrong)
        assert read and 'class="field-error errorlist"' in html


def test_stay_form_errors_render_live_while_the_rooms_are_remembered(client, room, monday):
    """Dates without guests: the form says what is missing on every request; the rooms and the
    calendar still come from the cache, and still show a booking at the next request."""
    no_guests = {"check_in": monday.isoformat(), "check_out": (monday + timedelta(days=1)).isoformat()}
    html = remembered(client, room.page.url, no_guests)
    assert 'class="field-error"' in html and night_state(html, monday) == "free"
    book(room, monday, rooms=2)
    html, read = get(client, room.page.url, no_guests)
    assert read and 'class="field-error"' in html and night_state(html, monday) == "few"
