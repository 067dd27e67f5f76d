"""PostgreSQL, real threads: 30 visitors check out the last room at the same instant."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from orders import reservations
from orders.models import Order, Reservation
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, check_out_at_once, without_the_inventory_lock
from tests.factories.accounts import VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out, stay_data

# The home_page fixture rebuilds the page tree's root that earlier transactional tests flushed away.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VISITORS = 30


def race(stay_room, arrival):
    """Each visitor with their own account and basket checks out at the same instant."""
    baskets = baskets_with(stay_data(stay_room, arrival, 2), VISITORS)
    return check_out_at_once(baskets), baskets


def test_thirty_visitors_one_last_room(stay_room, arrival, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    counts, baskets = race(stay_room, arrival)
    assert counts["ordered"] == 1, counts
    assert counts["ordered"] + counts["sold_out"] + counts["busy"] == VISITORS, counts
    assert Order.objects.count() == 1
    assert Reservation.objects.count() == 1
    claimed = claimed_units("stay", [stay_room.pk], arrival, arrival + timedelta(days=2))
    assert claimed[(stay_room.pk, arrival)] == 1
    # Everyone else's basket is untouched (nothing half-written).
    assert sum(basket.lines.count() for basket in baskets) == VISITORS - 1


def test_control_without_the_lock_oversells(stay_room, arrival, monkeypatch):
    """Proves the race above can fail: with the inventory lock off, several orders get the room."""
    without_the_inventory_lock(monkeypatch)
    counts, _baskets = race(stay_room, arrival)
    assert counts["ordered"] > 1, counts
    assert Order.objects.count() > 1


def test_double_submit_at_the_same_instant_makes_one_order(stay_room, arrival):
    """The same checkout form sent five times at once (a double click, a retrying proxy)."""
    import uuid

    user = VerifiedUserFactory()
    basket = basket_with_stay(user, stay_room, arrival)
    token = uuid.uuid4()
    barrier = threading.Barrier(5)
    refs, lock = [], threading.Lock()

    def submit():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcome = check_out(user, basket, token=token).order.reference
        except Exception as exc:  # a broken thread fails the test visibly
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            refs.append(outcome)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Order.objects.count() == 1
    assert refs == [Order.objects.get().reference] * 5
