"""PostgreSQL, real threads: staff call off a tour slot while visitors check out its last seats and
pay at the desk. Every order on the slot must end cancelled (refunded when it was paid), none
confirmed or paid, and nothing may stay claimed.

The visitors arrive ``STAGGER`` apart and each holds the slot's lock ``HOLD`` long while checking
out (``reservations._after_count``); staff click between the second and the third visitor, so the
call-off lands in the middle of the queue for the slot's lock. The control runs switch off, in
turn, the refusal of a called-off slot (the guard) and the inventory lock of checkout: each
leaves a visitor confirmed on the cancelled slot.
"""

import time
from collections import Counter

import pytest

from attractions.inventory import TourSlotInventory
from attractions.models import TourSlotStatus
from orders import order_state, organiser_cancel, reservations
from orders.exceptions import CalledOff, SoldOut
from orders.models import SOLD_STATUSES, Order, OrderStatus, ReservationKind
from orders.models.orders import MONEY_IN
from orders.selectors import claimed_units
from tests.concurrency import baskets_with, checkouts_racing_staff
from tests.factories.accounts import SuperuserFactory
from tests.orders.checkout_fixtures import check_out

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TOUR = ReservationKind.TOUR
VISITORS = 12
SOLD = (2, 2, 3)  # seats of the three orders already paid: 3 of 10 left
HOLD = 0.5
STAGGER = 0.1


@pytest.fixture
def desk(db):
    return SuperuserFactory()


@pytest.fixture
def nearly_full(slot, desk):
    """Three paid orders hold 7 of the slot's 10 seats."""
    for baskets in (baskets_with(tour_data(slot, adults=n), 1) for n in SOLD):
        order = check_out(baskets[0].user, baskets[0]).order
        order_state.mark_paid_on_site(order, by_user=desk)
    return slot


def race(slot, desk):
    """Visitors check out one seat each (then pay at the desk) while staff call the slot off."""
    return checkouts_racing_staff(
        baskets_with(tour_data(slot, adults=1), VISITORS),
        lambda: organiser_cancel.call_off(TOUR, [slot.pk], reason="暴雨预警", by_user=desk),
        desk=desk,
        refusals={CalledOff: "refused_called_off", SoldOut: "sold_out"},
        stagger=STAGGER,
    )


def orders_on(slot):
    return Order.objects.filter(lines__kind=TOUR, lines__object_id=slot.pk).distinct()


@pytest.fixture
def slow_checkout(monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(HOLD))


def test_staff_call_off_while_visitors_buy_the_last_seats(nearly_full, desk, slow_checkout):
    outcomes, (result,) = race(nearly_full, desk)

    assert set(outcomes) <= {
        "ordered_and_paid",
        "ordered_then_called_off",
        "refused_called_off",
        "sold_out",
    }, outcomes
    assert outcomes["refused_called_off"] >= 1, outcomes  # the call-off landed mid-queue
    assert result.busy == []
    nearly_full.refresh_from_db()
    assert nearly_full.status == TourSlotStatus.CANCELLED
    statuses = Counter(orders_on(nearly_full).values_list("status", flat=True))
    assert not set(statuses) & {*SOLD_STATUSES, OrderStatus.PENDING}, statuses
    for order in orders_on(nearly_full).prefetch_related("payments"):
        paid = sum(p.amount_fen for p in order.payments.all() if p.status in MONEY_IN)
        refunded = sum(p.refunded_fen for p in order.payments.all())
        assert refunded == paid, order.reference
        assert order.status == (OrderStatus.REFUNDED if paid else OrderStatus.CANCELLED)
    assert statuses[OrderStatus.REFUNDED] >= len(SOLD)
    assert claimed_units(TOUR, [nearly_full.pk])[nearly_full.pk] == 0


def test_control_without_the_guard_a_visitor_stays_booked_on_the_cancelled_slot(
    nearly_full, desk, slow_checkout, monkeypatch
):
    """Proves the race above can fail: if reserve() does not refuse a called-off slot, a visitor
    queued behind the call-off books after the cancellation has listed the orders."""
    monkeypatch.setattr(TourSlotInventory, "is_called_off", lambda self, obj: False)
    monkeypatch.setattr(
        TourSlotInventory, "capacity", lambda self, obj, day=None: obj.capacity or obj.experience.capacity
    )
    race(nearly_full, desk)
    assert orders_on(nearly_full).filter(status__in=SOLD_STATUSES).exists()


def test_control_without_the_checkout_lock_a_visitor_stays_booked_on_the_cancelled_slot(
    nearly_full, desk, slow_checkout, monkeypatch
):
    """And if checkout took no lock, the call-off would not wait for the visitors already
    counting seats: their orders land after it has listed the orders."""
    monkeypatch.setattr(
        reservations, "lock_rows", lambda model, pks: model._default_manager.in_bulk(sorted(pks))
    )
    race(nearly_full, desk)
    assert orders_on(nearly_full).filter(status__in=SOLD_STATUSES).exists()
