"""One order of a stay, a tour, tickets and produce, for the tests of cancelling one line.

Each kind has its own rule: the stay its homestay's policy (moderate), the tour its experience's
(flexible), the tickets their ticket type's (strict, which no ticket had before ticket types had a
policy of their own), the produce none (back in full until the farmer packs it). Import the
fixtures by name in each test module.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from orders import basket as basket_service
from orders import order_state
from orders.models import Basket, Order, OrderLine
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)
from tests.factories.events import EventIndexPageFactory, EventPageFactory, TicketTypeFactory
from tests.factories.products import ProductFactory

from .checkout_fixtures import check_out, stay_data

STAY_FEN = 60000  # two nights at ¥300, moderate policy
TOUR_FEN = 16000  # two adults at ¥80, flexible policy
TICKETS = 5
TICKET_FEN = 8000  # each; strict policy
PRODUCE_FEN = 7000  # two jin of strawberries at ¥35, picked up

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


@dataclass
class TripThings:
    room: object
    slot: object
    ticket_type: object
    product: object

    def lines(self, *kinds):
        """The basket lines of these kinds (all four by default), in this order."""
        data = {
            "stay": None,
            "tour": {"kind": "tour", "slot_id": self.slot.pk, "adults": 2, "children": 0},
            "ticket": {"kind": "ticket", "ticket_type_id": self.ticket_type.pk, "quantity": TICKETS},
            "product": {
                "kind": "product",
                "product_id": self.product.pk,
                "quantity": 2,
                "delivery": "pickup",
            },
        }
        return [data[kind] or self.stay_line for kind in kinds or ("stay", "tour", "ticket", "product")]


@dataclass
class Trip:
    order: Order

    def line(self, kind) -> OrderLine:
        return self.order.lines.get(kind=kind, cancelled_at__isnull=True)

    @property
    def payment(self):
        return self.order.payments.get()

    def fresh(self):
        self.order.refresh_from_db()
        return self.order


@pytest.fixture
def trip_things(home_page, stay_room, arrival):
    """What the trip buys: the moderate stay of ``stay_room`` from ``arrival`` (three weeks
    ahead), a flexible tour in ten days, a strict festival in twelve days, strawberries."""
    attractions = AttractionIndexPageFactory(parent=home_page, slug="line-cancel-attractions")
    picking = ExperiencePageFactory(
        parent=attractions, title="草莓采摘", schedules=[], cancellation_policy="flexible"
    )
    slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9, days=10))
    events = EventIndexPageFactory(parent=home_page, slug="line-cancel-events")
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=12)
    festival = EventPageFactory(
        parent=events, title="桃花节", start=start, end=start + datetime.timedelta(hours=8)
    )
    day_pass = TicketTypeFactory(
        page=festival,
        name="日票",
        price_fen=TICKET_FEN,
        capacity=TICKETS,
        max_per_order=TICKETS,
        cancellation_policy="strict",
    )
    strawberries = ProductFactory(name="奶油草莓", unit="jin", price_fen=3500, stock=10)
    things = TripThings(stay_room, slot, day_pass, strawberries)
    things.stay_line = stay_data(stay_room, arrival)
    return things


def book(user, things, *kinds, method="fake_online", paid=True, capture=None):
    """``user`` orders these kinds (all four by default) and, unless ``paid=False``, pays: online
    through ``method``, or on site marked paid by staff."""
    basket, _created = Basket.objects.get_or_create(user=user)
    for data in things.lines(*kinds):
        basket_service.add_line(basket, dict(data))
    order = check_out(user, basket, payment_method=method).order
    if paid:
        payment = order.payments.get()
        if method == "on_site":
            order_state.mark_paid_on_site(order, by_user=VerifiedUserFactory(is_staff=True))
        else:
            order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    order.refresh_from_db()
    return Trip(order)


@pytest.fixture
def trip(visitor, trip_things, fake_online, django_capture_on_commit_callbacks):
    """The visitor's order of all four, paid online (the fake provider records the refunds)."""
    with django_capture_on_commit_callbacks(execute=True):
        return book(visitor, trip_things)
