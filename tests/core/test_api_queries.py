"""The JSON API's reads run the same queries for 2 and 50 things (issue 21, item 2: no N+1). The
homestay availability search has its own pin (tests/homestays/test_search_sql.py), the search API
and the basket theirs (tests/search, tests/orders/test_basket_queries.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import OrderLine
from orders.reservations import local_today
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.orders import OrderFactory
from tests.factories.products import ProductFactory, ProductPhotoFactory, ShopPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

# Each read, warm: its own queries, then those of what it lists (together, whatever their number).
PRODUCTS = 5  # the page of products (units left in a subquery), photos with images, renditions, the shop
CALENDAR = 4  # the homestay, its rooms, their rate rules, live claims
SLOTS = 4  # the view restrictions, the experience, its slots, their live claims
TICKETS = 3  # the event, its ticket types, their live claims
ORDERS = 5  # session, user, the orders, their lines with vouchers, their payments


def queries(client, url):
    assert client.get(url).status_code == 200  # warm: renditions, the content cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.parametrize("count", [2, 50])
def test_products(client, home_page, count):
    ShopPageFactory(parent=home_page)
    for _i in range(count):
        ProductPhotoFactory(product=ProductFactory())
    found, body = queries(client, "/api/v1/products?limit=50")
    assert body["count"] == count and all(p["photo_url"] for p in body["results"])
    assert found == PRODUCTS


@pytest.mark.parametrize("count", [2, 50])
def test_homestay_calendar(client, home_page, count):
    homestay = HomestayPageFactory(parent=HomestayIndexPageFactory(parent=home_page))
    for _i in range(count):
        RoomTypeFactory(page=homestay)
    start = local_today() + datetime.timedelta(days=3)
    url = f"/api/v1/homestays/{homestay.pk}/calendar?from={start}&to={start + datetime.timedelta(days=30)}"
    found, body = queries(client, url)
    assert len(body["room_types"]) == count and len(body["room_types"][0]["nights"]) == 31
    assert found == CALENDAR


@pytest.mark.parametrize("count", [2, 50])
def test_experience_slots(client, home_page, count):
    experience = ExperiencePageFactory(parent=AttractionIndexPageFactory(parent=home_page), schedules=[])
    for n in range(count):
        day, hour = divmod(n, 4)
        TourSlotFactory(experience=experience, starts_at=tomorrow_at(8 + 3 * hour, days=1 + day))
    today = local_today()
    last = today + datetime.timedelta(days=20)
    found, body = queries(client, f"/api/v1/experiences/{experience.pk}/slots?from={today}&to={last}")
    assert len(body) == count
    assert found == SLOTS


@pytest.mark.parametrize("count", [2, 50])
def test_event_tickets(client, home_page, count):
    event = EventPageFactory(parent=EventIndexPageFactory(parent=home_page))
    for _i in range(count):
        TicketTypeFactory(page=event)
    found, body = queries(client, f"/api/v1/events/{event.pk}/tickets")
    assert len(body) == count
    assert found == TICKETS


@pytest.mark.parametrize("count", [2, 50])
def test_a_visitors_orders(client, count):
    visitor = VerifiedUserFactory()
    first_night = local_today() + datetime.timedelta(days=30)
    for _i in range(count):
        order = OrderFactory(user=visitor)
        for kind in ("stay", "product"):
            OrderLine.objects.create(
                order=order,
                kind=kind,
                object_id=1,
                title="田园民宿",
                unit_price_fen=30000,
                total_fen=30000,
                start_date=first_night,
                end_date=first_night + datetime.timedelta(days=1),
                nights=1,
            )
    client.force_login(visitor)
    found, body = queries(client, "/api/v1/orders")
    assert len(body) == count and all(len(order["lines"]) == 2 for order in body)
    assert found == ORDERS
