"""PostgreSQL, real threads: a visitor cancels their seat on a full tour slot while 20 others try
to book it, again and again until they have seen it free; exactly one gets it. And the same line
cancelled twice at the same instant is cancelled, and refunded, once.

Each race has its control, which must fail the way the race test would catch: without the
inventory lock several visitors get the one freed seat; without the lock on the order and its
line both cancellations refund.
"""

import threading
import time

import pytest

from attractions.models import TourSlot
from orders import basket as basket_service
from orders import line_cancel, order_state, reservations
from orders.exceptions import InventoryBusy, OrderStateError, SoldOut
from orders.line_cancel import cancel_line
from orders.models import Basket, Order, OrderLine, OrderStatus, Refund, Voucher
from orders.selectors import claimed_units
from tests.concurrency import at_once, baskets_with, without_the_inventory_lock
from tests.orders.checkout_fixtures import check_out

from .line_cancel_fixtures import Trip

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VISITORS = 20
SEATS = 3


@pytest.fixture
def full_slot(visitor, trip_things, fake_online):
    """The slot has 3 seats: the visitor holds one (with produce, so their order goes on), another
    order the other two."""
    slot = trip_things.slot
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS)
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(basket, {"kind": "tour", "slot_id": slot.pk, "adults": 1, "children": 0})
    basket_service.add_line(basket, trip_things.lines("product")[0])
    order = check_out(visitor, basket, payment_method=fake_online.name).order
    payment = order.payments.get()
    order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    # The visitors' baskets are filled while a seat is still free (a full slot cannot be added).
    waiting = baskets_with({"kind": "tour", "slot_id": slot.pk, "adults": 1, "children": 0}, VISITORS)
    (filler,) = baskets_with({"kind": "tour", "slot_id": slot.pk, "adults": SEATS - 1, "children": 0}, 1)
    check_out(filler.user, filler)
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    return Trip(order), slot, waiting


def race(mine, baskets):
    """The visitor cancels their tour line while 20 others check out one seat each, retrying while
    the slot is full until an attempt begun after the cancellation was refused."""
    cancelled = threading.Event()

    def cancel():
        try:
            cancel_line(mine.order, mine.line("tour").pk, by_user=mine.order.user)
            return "cancelled"
        finally:
            cancelled.set()

    def buyer(basket):
        def buy():
            while True:
                after_cancel = cancelled.is_set()
                try:
                    check_out(basket.user, basket)
                    return "ordered"
                except (SoldOut, InventoryBusy):
                    if after_cancel:
                        return "sold_out"
                    time.sleep(0.02)

        return buy

    return at_once([cancel] + [buyer(basket) for basket in baskets], timeout=180)


def test_a_seat_cancelled_while_twenty_visitors_want_it_goes_to_exactly_one(full_slot, monkeypatch):
    mine, slot, waiting = full_slot
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.02))
    outcomes = race(mine, waiting)
    assert outcomes == {"cancelled": 1, "ordered": 1, "sold_out": VISITORS - 1}
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
    assert mine.fresh().status == OrderStatus.PAID and mine.line("product").status == "live"


def test_control_without_the_inventory_lock_the_freed_seat_is_sold_more_than_once(full_slot, monkeypatch):
    """Proves the race above can fail: unlocked, the visitors count the one free seat together."""
    mine, slot, waiting = full_slot
    without_the_inventory_lock(monkeypatch)
    outcomes = race(mine, waiting)
    assert outcomes["cancelled"] == 1 and outcomes["ordered"] > 1
    assert claimed_units("tour", [slot.pk])[slot.pk] > SEATS


def cancel_twice(mine):
    tour = mine.line("tour")

    def cancel():
        try:
            cancel_line(mine.order, tour.pk, by_user=mine.order.user)
            return "cancelled"
        except OrderStateError as exc:
            return exc.code

    return at_once([cancel, cancel])


def test_the_same_line_cancelled_twice_at_once_is_refunded_once(full_slot, fake_online):
    mine, _slot, _waiting = full_slot
    assert cancel_twice(mine) == {"cancelled": 1, "already_cancelled": 1}
    assert fake_online.refunds == [(mine.payment.pk, mine.order.lines.get(kind="tour").total_fen)]
    assert Refund.objects.count() == 1


def test_control_without_the_order_and_line_locks_both_refund(full_slot, fake_online, monkeypatch):
    """Proves the test above can fail: read without locks, both see the line live and refund."""
    mine, _slot, _waiting = full_slot

    def unlocked(order, line_id, by_user):
        order = Order.objects.get(pk=order.pk)
        line = OrderLine.objects.select_related("order").get(pk=line_id)
        line.voucher = Voucher.objects.get(order_line=line)
        time.sleep(0.3)  # both read before either writes
        return order, line

    monkeypatch.setattr(line_cancel, "lock_order_line", unlocked)
    assert cancel_twice(mine) == {"cancelled": 2}
    assert len(fake_online.refunds) == 2
