"""The homestay page's one choice of dates and guests: kept in the URL, asked once, carried by the
calendar's month links, opening the calendar at its month (issue 20, item 2)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser

from homestays import views
from homestays.models import HomestayPage, RateRuleKind
from tests.factories.homestays import RoomRateRuleFactory, RoomTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TOWN = ZoneInfo("Asia/Shanghai")
# The page's own work with dates chosen, however many room types, once its rooms are asked for
# (the page asks only when its rooms fragment is not remembered): its room types with their
# photos (1), their rate rules and live claims for the month and the stay together (2). The
# amenities, gallery and map are read only when their content-cached fragments miss. The site
# shell's queries are not pinned here (test_page_queries.py pins whole pages).
PAGE_CONTEXT_QUERIES = 3


@pytest.fixture
def morning(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TOWN), tick=False)


STAY = {"check_in": "2027-02-10", "check_out": "2027-02-12", "guests": "2"}


def test_the_calendar_opens_at_the_month_of_the_chosen_check_in(client, room, morning):
    response = client.get(room.page.url, STAY)
    assert response.status_code == 200
    assert response.context["month_start"] == datetime.date(2027, 2, 1)
    html = response.content.decode()
    assert re.search(r'class="day day--free day--chosen" data-date="2027-02-10"', html)
    assert re.search(r'class="day day--free day--chosen" data-date="2027-02-11"', html)
    assert re.search(r'class="day day--free day--check-out" data-date="2027-02-12"', html)
    assert re.search(r'class="day day--free" data-date="2027-02-13"', html)


def test_without_dates_the_calendar_opens_on_this_month(client, room, morning):
    response = client.get(room.page.url)
    assert response.context["month_start"] == datetime.date(2026, 12, 1)
    assert response.context["stay"] is None
    # Days gone by cannot be chosen: they carry no date for the picker.
    assert 'data-date="2026-12-04"' not in response.content.decode()
    assert 'data-date="2026-12-05"' in response.content.decode()


def test_the_month_links_keep_the_dates_and_guests(client, room, morning):
    html = client.get(room.page.url, STAY).content.decode()
    links = re.findall(r'data-month-link href="\?([^"#]*)#availability"', html)
    assert len(links) == 2  # previous and next
    for link in links:
        assert "check_in=2027-02-10&amp;check_out=2027-02-12&amp;guests=2" in link
    assert links[0].endswith("month=2027-01") and links[1].endswith("month=2027-03")


def test_a_chosen_month_wins_over_the_check_in_month_and_keeps_the_stay(client, room, morning):
    response = client.get(room.page.url, {**STAY, "month": "2027-03"})
    assert response.context["month_start"] == datetime.date(2027, 3, 1)
    (entry,) = response.context["quotes"]()
    assert entry["quote"].total_fen == 60000  # the stay is still priced


def test_the_calendar_stops_a_year_ahead(client, room, morning):
    html = client.get(room.page.url, {"month": "2027-12"}).content.decode()
    far = client.get(room.page.url, {"month": "2030-01"})
    assert far.context["month_start"] == datetime.date(2027, 12, 1)
    assert "month=2028-01" not in html and "month=2027-11" in html


@pytest.mark.parametrize(
    "query, month",
    [
        ({"check_in": "not-a-date", "check_out": "2027-02-12", "guests": "2"}, datetime.date(2026, 12, 1)),
        ({"check_in": "2026-11-01", "check_out": "2026-11-03", "guests": "2"}, datetime.date(2026, 12, 1)),
        ({"check_in": "2027-02-12", "check_out": "2027-02-10", "guests": "2"}, datetime.date(2027, 2, 1)),
        ({"check_in": "2027-02-10", "check_out": "2027-02-12", "guests": "0"}, datetime.date(2027, 2, 1)),
    ],
)
def test_bad_dates_or_guests_are_explained_on_the_page(client, room, morning, query, month):
    response = client.get(room.page.url, query)
    assert response.status_code == 200
    assert response.context["quote_form"].errors
    assert response.context["stay"] is None and response.context["quotes"]() == []
    assert response.context["month_start"] == month
    assert 'class="field-error"' in response.content.decode()


def test_dates_and_guests_are_asked_once_and_each_room_books_them(client, room, morning):
    RoomTypeFactory(page=room.page, units=1, base_price_fen=45000, max_guests=4)
    html = client.get(room.page.url, STAY).content.decode()
    assert html.count('type="date"') == 2  # check-in and check-out, once for the page
    assert html.count('name="guests"') == 3  # the form's, and one hidden per room's add button
    forms = re.findall(r'<form class="add-stay".*?</form>', html, re.S)
    assert len(forms) == 2
    for form in forms:
        assert '<input type="hidden" name="check_in" value="2027-02-10">' in form
        assert '<input type="hidden" name="check_out" value="2027-02-12">' in form
        assert '<input type="hidden" name="guests" value="2">' in form
        assert '<input type="hidden" name="rooms" value="1">' in form


def test_the_add_button_books_the_chosen_stay(client, room, morning):
    html = client.get(room.page.url, STAY).content.decode()
    (form,) = re.findall(r'<form class="add-stay".*?</form>', html, re.S)
    data = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    response = client.post("/basket/add/", data)
    assert response.status_code == 302 and response.url == "/basket/"
    basket = client.get("/basket/").content.decode()
    assert "¥600" in basket


def test_a_room_that_cannot_take_the_stay_says_why_and_has_no_add_button(client, room, morning):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=datetime.date(2027, 2, 11))
    html = client.get(room.page.url, STAY).content.decode()
    assert 'class="quote-error"' in html
    assert 'class="add-stay"' not in html


def test_each_calendar_caption_opens_its_own_table(client, room, morning):
    RoomTypeFactory(page=room.page, name="Second room")
    html = client.get(room.page.url, STAY).content.decode()
    tables = re.findall(r'<table class="room-calendar"[^>]*>\s*<caption[^>]*>([^<]*)</caption>', html)
    assert len(tables) == 2
    assert any("Second room" in caption for caption in tables)


def test_the_room_types_heading_says_room_types_in_chinese(client, room, morning):
    html = client.get(room.page.url).content.decode()
    assert '<h2 id="rooms-heading">房型</h2>' in html
    assert '<label for="id_rooms">房间数</label>' in html


@pytest.mark.parametrize("more_rooms", [1, 5])
def test_page_context_query_count_is_pinned(rf, room, morning, django_assert_num_queries, more_rooms):
    for _i in range(more_rooms):
        RoomTypeFactory(page=room.page)
    page = HomestayPage.objects.get(pk=room.page.pk)

    def request():
        made = rf.get(page.url, STAY)
        made.user = AnonymousUser()
        return made

    views.homestay_context(page, request())["quotes"]()  # fills the content cache (locales)
    with django_assert_num_queries(PAGE_CONTEXT_QUERIES):
        context = views.homestay_context(page, request())
        assert [entry["quote"].night_count for entry in context["quotes"]()] == [2] * (more_rooms + 1)
