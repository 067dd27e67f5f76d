""" "During your stay" on the basket page (issue 20, item 3): the tours, festival days and produce
deliveries that fit the days of the stays in the basket, gathered through the kinds' registered
providers (orders names no kind), in a number of queries that does not grow with the offer."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale

from orders import basket as basket_service
from orders import stay_suggestions
from orders.lines import stay_kinds
from orders.models import Basket
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import AttractionIndexPageFactory, ExperiencePageFactory, TourSlotFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProductFactory, ShopPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
TOWN = ZoneInfo("Asia/Shanghai")
CHECK_IN, CHECK_OUT = datetime.date(2027, 1, 11), datetime.date(2027, 1, 13)


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TOWN)


@pytest.fixture
def morning(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TOWN), tick=False)


@pytest.fixture
def town(home_page, morning):
    homestays = HomestayIndexPageFactory(parent=home_page, slug="homestays")
    room = RoomTypeFactory(page=HomestayPageFactory(parent=homestays), units=2, base_price_fen=30000)
    return {
        "room": room,
        "attractions": AttractionIndexPageFactory(parent=home_page),
        "events": EventIndexPageFactory(parent=home_page),
        "shop": ShopPageFactory(parent=home_page),
    }


@pytest.fixture
def guest(client, town):
    user = VerifiedUserFactory()
    client.force_login(user)
    basket, _created = Basket.objects.get_or_create(user=user)
    basket_service.add_line(
        basket,
        {
            "kind": "stay",
            "room_type_id": town["room"].pk,
            "check_in": CHECK_IN.isoformat(),
            "check_out": CHECK_OUT.isoformat(),
            "guests": 2,
        },
    )
    return basket


def offer(town, n=1):
    """``n`` tours with a slot during the stay and one after it, ``n`` festivals during the stay
    and one before it, ``n`` products delivered to homestays and one that is not."""
    for i in range(n):
        tour = ExperiencePageFactory(parent=town["attractions"], title=f"采茶 {i}", schedules=[])
        TourSlotFactory(experience=tour, starts_at=at(CHECK_IN + datetime.timedelta(days=1), 9))
        TourSlotFactory(experience=tour, starts_at=at(CHECK_OUT + datetime.timedelta(days=3), 9))
        EventPageFactory(
            parent=town["events"], title=f"腊八节 {i}", start=at(CHECK_IN, 10), end=at(CHECK_IN, 16)
        )
        ProductFactory(name=f"土鸡蛋 {i}")
    late = ExperiencePageFactory(parent=town["attractions"], title="春茶", schedules=[])
    TourSlotFactory(experience=late, starts_at=at(CHECK_OUT + datetime.timedelta(days=5), 9))
    new_year = datetime.date(2027, 1, 1)
    EventPageFactory(parent=town["events"], title="元旦", start=at(new_year, 10), end=at(new_year, 16))
    ProductFactory(name="腊肉", offers_homestay_delivery=False)


def test_the_stays_are_the_basket_lines_of_stay_kinds(guest, town):
    assert stay_kinds() == ["stay"]
    lines = list(guest.lines.all())
    tour = ExperiencePageFactory(parent=town["attractions"], schedules=[])
    slot = TourSlotFactory(experience=tour, starts_at=at(CHECK_IN, 9))
    basket_service.add_line(guest, {"kind": "tour", "slot_id": slot.pk, "adults": 1})
    lines = list(guest.lines.all())
    assert len(lines) == 2
    stays = stay_suggestions.stays_of(lines, today=datetime.date(2026, 12, 5))
    assert stays == [stay_suggestions.Stay(CHECK_IN, CHECK_OUT)]
    assert stay_suggestions.stays_of(lines, today=datetime.date(2027, 1, 14)) == []
    # A stay already begun counts from today.
    assert stay_suggestions.stays_of(lines, today=datetime.date(2027, 1, 12)) == [
        stay_suggestions.Stay(datetime.date(2027, 1, 12), CHECK_OUT)
    ]


def test_what_fits_the_stay_is_suggested_and_what_does_not_is_left_out(guest, town):
    offer(town)
    stays = [stay_suggestions.Stay(CHECK_IN, CHECK_OUT)]
    found = stay_suggestions.during_your_stay(stays, locale=Locale.get_default())
    titles = {(item.kind, item.title, item.day) for item in found}
    assert ("tour", "采茶 0", datetime.date(2027, 1, 12)) in titles
    assert ("event", "腊八节 0", CHECK_IN) in titles
    assert ("product", "土鸡蛋 0", None) in titles
    assert not {"春茶", "元旦", "腊肉"} & {title for _kind, title, _day in titles}
    tour = next(item for item in found if item.kind == "tour")
    assert tour.url.endswith("?date=2027-01-12#book")  # opens the tour on that day
    # By day, deliveries (any day) last.
    assert [item.day for item in found] == sorted([item.day for item in found if item.day]) + [None] * sum(
        1 for item in found if item.day is None
    )


def test_the_basket_page_shows_what_fits_the_stay(client, guest, town):
    offer(town)
    response = client.get(reverse("orders_basket"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="during-stay-heading"' in html
    for title in ("采茶 0", "腊八节 0", "土鸡蛋 0"):
        assert title in html
    assert "春茶" not in html


def test_without_a_stay_the_basket_suggests_nothing(client, town):
    offer(town)
    client.force_login(VerifiedUserFactory())
    html = client.get(reverse("orders_basket")).content.decode()
    assert 'id="during-stay-heading"' not in html


def _basket_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("orders_basket"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["during_your_stay"])


def test_the_basket_page_queries_do_not_grow_with_the_offer(client, guest, town):
    offer(town, 1)
    _basket_queries(client)  # warm the per-process caches (site, locales, private pages)
    one, shown_one = _basket_queries(client)
    offer(town, 4)
    five, shown_five = _basket_queries(client)
    assert shown_five > shown_one
    assert five == one
