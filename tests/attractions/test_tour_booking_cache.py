"""The tour page's booking section (date picker, times, seats left) is cached with the seats it
shows ({% tour_booking %}, town.page_cache.cached_showing): the next request after a booking, an
edit, a new slot or a slot's start shows the new state; the visitor's form stays their own.
The full-page cache is off (config.settings.test), as for a visitor with a session."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attractions.models import ExperiencePage, ExperienceSchedule
from attractions.schedules import generate_slots
from orders import reservations
from orders.models import Reservation, ReservationKind
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory, tomorrow_at
from tests.factories.home import translate
from tests.orders.checkout_fixtures import check_out

from .test_experiences_page import make_slots, zh

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TOWN = ZoneInfo("Asia/Shanghai")
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def seats_left(html):
    """The seats left of each time offered, in order."""
    return [int(n) for n in re.findall(r'data-left="(\d+)"', html)]


def read_slots(client, url, data=None):
    """(response, whether the slots were read from the database)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    return response, any("attractions_tourslot" in query["sql"] for query in queries.captured_queries)


def cached_page(client, url, data=None):
    """The page once its booking section is cached: the first visit also makes what a page makes
    once (the footer settings row), which bumps the content version; the second stores it."""
    for _visit in range(2):
        client.get(url, data)
    response, read = read_slots(client, url, data)
    assert not read  # else the tests below would prove nothing
    return response


def book(slot, seats):
    reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, seats)])


@pytest.mark.parametrize("count", [2, 50])
def test_a_booking_shows_on_the_very_next_request(client, picking, count):
    """With a few slots the section is tagged by each slot; with many, by the kind ("tour:*")."""
    slots = make_slots(picking, count)  # 10 seats, 2 confirmed and 1 held on each
    assert seats_left(cached_page(client, picking.url).text)[0] == 7
    book(slots[0], 4)
    response, read = read_slots(client, picking.url)
    assert read and seats_left(response.text)[0] == 3
    reservations.cancel(Reservation.objects.filter(object_id=slots[0].pk, quantity=4))
    assert seats_left(client.get(picking.url).text)[0] == 7


def test_a_booking_through_the_page_and_checkout_shows_to_the_next_visitor(picking):
    slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    user = VerifiedUserFactory()
    visitor, other = Client(enforce_csrf_checks=True), Client()
    visitor.force_login(user)
    page = cached_page(visitor, picking.url)
    assert seats_left(page.text) == [10]
    token = TOKEN_RE.search(page.text)[1]
    posted = visitor.post(picking.url, {"slot_id": slot.pk, "adults": 3, "csrfmiddlewaretoken": token})
    assert posted.status_code == 302  # the visitor's own token, put in a cached section, passes
    check_out(user)
    assert seats_left(other.get(picking.url).text) == [7]


def test_each_visitor_gets_their_own_token_and_an_empty_form(picking):
    slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    first, second = Client(), Client()
    refused = first.post(picking.url, {"slot_id": slot.pk, "adults": 0})
    assert refused.status_code == 422 and 'class="errorlist"' in refused.text
    cached_page(first, picking.url)
    pages = [client.get(picking.url).text for client in (first, second)]
    assert TOKEN_RE.search(pages[0])[1] != TOKEN_RE.search(pages[1])[1]
    for html in pages:  # the refused post left nothing in the cached section
        assert 'class="errorlist"' not in html and 'name="adults"' in html and 'value="2"' in html


def test_publishing_a_new_capacity_shows_at_once(client, picking):
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    assert seats_left(cached_page(client, picking.url).text) == [10]
    picking.capacity = 12
    picking.save_revision().publish()
    assert seats_left(client.get(picking.url).text) == [12]


def test_a_slot_the_schedule_adds_shows_at_once(client, picking):
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    day = tomorrow_at(9).date()
    # The schedule as an editor saved it (a content edit), before the daily run made its slot.
    ExperienceSchedule.objects.create(page=picking, start_times="16:00", valid_from=day, valid_until=day)
    assert seats_left(cached_page(client, picking.url, {"date": day.isoformat()}).text) == [10]
    page = ExperiencePage.objects.get(pk=picking.pk)
    assert generate_slots(page, days=3).created == 1  # bulk_create: no signal of its own
    html = client.get(picking.url, {"date": day.isoformat()}).text
    assert seats_left(html) == [10, 10] and ">16:00</time>" in html


def test_a_slot_that_has_started_is_no_longer_offered(client, picking, time_machine):
    today = datetime.date(2026, 12, 5)
    time_machine.move_to(datetime.datetime(2026, 12, 5, 9, 29, 30, tzinfo=TOWN), tick=False)
    first = TourSlotFactory(experience=picking, starts_at=datetime.datetime(2026, 12, 5, 9, 30, tzinfo=TOWN))
    later = TourSlotFactory(experience=picking, starts_at=datetime.datetime(2026, 12, 5, 14, tzinfo=TOWN))
    url_data = {"date": today.isoformat()}
    assert f'value="{first.pk}"' in cached_page(client, picking.url, url_data).text
    # Well within the copy's life (town.page_cache.cached_showing), but the first tour has left.
    time_machine.move_to(datetime.datetime(2026, 12, 5, 9, 30, 10, tzinfo=TOWN), tick=False)
    html = client.get(picking.url, url_data).text
    assert f'value="{first.pk}"' not in html and f'value="{later.pk}"' in html


def test_each_language_shows_its_own_words(client, picking, en_locale):
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    english = translate(picking, "en", title="Strawberry picking")
    chinese_html = cached_page(client, picking.url).text
    english_html = cached_page(client, english.url).text
    assert zh("Choose a day") in chinese_html and "Choose a day" not in chinese_html
    assert zh("Add to basket") in chinese_html
    assert "Choose a day" in english_html and zh("Choose a day") not in english_html
    assert "Add to basket" in english_html and "10 places left" in english_html
    assert english.url in english_html and 'action="/en/' in english_html
    # The English page shows the original's seats: a booking of it shows there too.
    book(picking.slots.get(), 4)
    assert "6 places left" in client.get(english.url).text


def test_a_date_or_month_of_another_shape_is_answered_uncached(client, picking):
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    for data in ({"date": "tomorrow"}, {"month": "<b>"}):
        client.get(picking.url, data)
        client.get(picking.url, data)
        _response, read = read_slots(client, picking.url, data)
        assert read, data


def test_the_camping_section_is_cached_apart_from_other_tours(client, attraction_index, picking):
    camp = ExperiencePageFactory(parent=attraction_index, kind="camping", capacity=6, schedules=[])
    TourSlotFactory(experience=camp, starts_at=tomorrow_at(16), duration=datetime.timedelta(hours=18))
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    cached_page(client, picking.url)
    html = client.get(camp.url).text
    assert seats_left(html) == [6] and zh("Choose a night") in html
