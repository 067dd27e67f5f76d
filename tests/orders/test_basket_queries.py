"""The basket is priced and checked kind by kind, not line by line: the basket page and
``GET /api/v1/basket`` run the same number of queries for 1 and for 10 lines, of one kind or mixed
(as pretix's QuotaAvailability answers many quotas at once)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import basket as basket_service
from orders.models import Basket
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProductFactory, ShippingRateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KINDS = ("stay", "tour", "ticket", "product")
# GET /api/v1/basket: session, user, basket, its lines, then per kind the ids' originals, the rows
# and their live claims (stays: and rate rules; tickets: and events called off; produce: and the
# shipping rates). The page adds what every page reads (the user's permissions, the site). In
# English (these tests' language) the names in the visitor's language add one query per
# translatable model read: stays the room types and homestays, tickets the ticket types and events,
# tours the experiences, produce the products.
API_QUERIES = {"stay": 10, "tour": 8, "ticket": 10, "product": 9}
API_QUERIES["mixed"] = 4 + sum(n - 4 for n in API_QUERIES.values())


@pytest.fixture
def make_lines(home_page, arrival):
    """make_lines(kind, n): n line data of ``kind``, each on its own room, slot, ticket or product."""
    parents = {}

    def parent(name, factory):
        if name not in parents:
            parents[name] = factory(parent=home_page)
        return parents[name]

    def make(kind, n):
        data = []
        for i in range(n):
            if kind == "stay":
                page = HomestayPageFactory(parent=parent("homestays", HomestayIndexPageFactory))
                room = RoomTypeFactory(page=page, units=2)
                check_in = arrival + timedelta(days=i % 3)
                data.append(
                    {
                        "kind": "stay",
                        "room_type_id": room.pk,
                        "check_in": check_in.isoformat(),
                        "check_out": (check_in + timedelta(days=2)).isoformat(),
                        "guests": 2,
                    }
                )
            elif kind == "tour":
                experience = ExperiencePageFactory(
                    parent=parent("attractions", AttractionIndexPageFactory), schedules=[]
                )
                slot = TourSlotFactory(experience=experience, starts_at=tomorrow_at(9, days=2 + i))
                data.append({"kind": "tour", "slot_id": slot.pk, "adults": 2, "children": 1})
            elif kind == "ticket":
                event = EventPageFactory(parent=parent("events", EventIndexPageFactory))
                ticket_type = TicketTypeFactory(page=event)
                data.append({"kind": "ticket", "ticket_type_id": ticket_type.pk, "quantity": 2})
            else:
                product = ProductFactory()
                if i % 2 == 0:  # the first line ships, so 1 line reads the shipping rates as 10 do
                    ShippingRateFactory()
                    delivery = {
                        "delivery": "shipping",
                        "shipping_region": "浙江",
                        "shipping_address": "杭州市西湖区",
                    }
                else:
                    delivery = {"delivery": "pickup"}
                data.append({"kind": "product", "product_id": product.pk, "quantity": 1, **delivery})
        return data

    return make


def fill(client, lines):
    user = VerifiedUserFactory()
    basket = Basket.objects.create(user=user)
    for data in lines:
        basket_service.add_line(basket, data)
    client.force_login(user)
    return basket


def count_queries(client, url):
    for _warm in range(2):  # fill the caches that outlive a request (site root, rendered fragments)
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def counts(client, lines, expected_api):
    basket = fill(client, lines)
    summary = basket_service.summarize(basket)
    assert len(summary.lines) == len(lines) and summary.all_available, [v.reason for v in summary.lines]
    # The English page, as the API answers in English here (reverse() would follow whichever
    # language the previous request left active).
    page, api = count_queries(client, "/en/basket/"), count_queries(client, "/api/v1/basket")
    assert api == expected_api
    return page, api


@pytest.mark.parametrize("kind", KINDS)
def test_one_kind_costs_the_same_for_1_and_10_lines(client, make_lines, kind):
    one = counts(client, make_lines(kind, 1), API_QUERIES[kind])
    client.logout()
    ten = counts(client, make_lines(kind, 10), API_QUERIES[kind])
    print(f"{kind}: 1 line {one}, 10 lines {ten} (page, api)")
    assert one == ten


def test_a_mixed_basket_costs_the_same_for_1_and_10_lines_of_each_kind(client, make_lines):
    one = counts(client, [data for kind in KINDS for data in make_lines(kind, 1)], API_QUERIES["mixed"])
    client.logout()
    ten = counts(client, [data for kind in KINDS for data in make_lines(kind, 5)], API_QUERIES["mixed"])
    print(f"mixed: 4 lines {one}, 20 lines {ten} (page, api)")
    assert one == ten
