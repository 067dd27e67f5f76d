"""PostgreSQL, real threads: 40 visitors check out the last 3 seats of a tour slot at the same instant."""

import time

import pytest

from orders import reservations
from orders.models import Order, Reservation, ReservationKind
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock

from .tour_fixtures import tour_data

# The home_page fixture rebuilds the page tree's root that earlier transactional tests flushed away.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VISITORS = 40
LEFT = 3


@pytest.fixture
def nearly_full(slot):
    """10 seats, 7 already sold: 3 left."""
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, 10 - LEFT)]))
    return slot


def race(slot):
    """Each visitor, with their own account and a basket holding one seat, checks out at once."""
    baskets = baskets_with(tour_data(slot, adults=1), VISITORS)
    return check_out_at_once(baskets, timeout=180), baskets


def test_forty_visitors_three_last_seats(nearly_full, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts, baskets = race(nearly_full)
    assert counts["ordered"] == LEFT, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == VISITORS, counts
    assert Order.objects.count() == LEFT
    assert claimed_units("tour", [nearly_full.pk])[nearly_full.pk] == 10
    assert Reservation.objects.filter(kind="tour", object_id=nearly_full.pk).count() == 1 + LEFT
    # Everyone else's basket is untouched (nothing half-written).
    assert sum(basket.lines.count() for basket in baskets) == VISITORS - LEFT


def test_control_without_the_lock_oversells(nearly_full, monkeypatch):
    """Proves the race above can fail: with the inventory lock off, more than 3 seats are sold."""
    without_the_inventory_lock(monkeypatch)
    counts, _baskets = race(nearly_full)
    assert counts["ordered"] > LEFT, counts
    assert claimed_units("tour", [nearly_full.pk])[nearly_full.pk] > 10
