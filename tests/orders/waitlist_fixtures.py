"""A tour slot of 2 seats sold out to one order, and helpers for the waiting-list tests (import
the fixtures by name)."""

import pytest

from attractions.models import TourSlot
from orders import waitlist
from orders.line_cancel import cancel_line
from orders.models import Basket
from tests.factories.accounts import VerifiedUserFactory

from .line_cancel_fixtures import book

SEATS = 2


def tour_data(slot, adults=1):
    return {"kind": "tour", "slot_id": slot.pk, "adults": adults, "children": 0}


@pytest.fixture
def full_tour(trip_things, fake_online, django_capture_on_commit_callbacks):
    """The tour slot holds 2 and one paid order of 2 adults takes both; returns (slot, trip)."""
    slot = trip_things.slot
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS)
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(VerifiedUserFactory(), trip_things, "tour")
    return slot, trip


def free_the_tour(trip, capture):
    """The booker cancels their tour line; the offers go out on commit, as in production."""
    with capture(execute=True):
        cancel_line(trip.order, trip.line("tour").pk, by_user=trip.order.user)


def wait(slot, adults=1, *, user=None, language="en"):
    return waitlist.join(user or VerifiedUserFactory(), tour_data(slot, adults), language=language)


def basket_of(user):
    basket, _created = Basket.objects.get_or_create(user=user)
    return basket
