"""PostgreSQL, real threads: a visitor moves their one-room stay onto nights another visitor is
checking out at the same instant. Exactly one of them gets the nights; the loser keeps what they
had (the mover their old dates, the other visitor no order), and no night is sold twice.

The control, without the inventory lock, must fail the way the race test would catch: both get
the nights.
"""

import time

import pytest

from orders import reservations
from orders.exceptions import InventoryBusy, OrderStateError, SoldOut
from orders.models import LineStatus, Order, ReservationStatus
from orders.selectors import claimed_units
from orders.stay_change import change_stay
from tests.concurrency import at_once, baskets_with, without_the_inventory_lock
from tests.orders.checkout_fixtures import check_out, stay_data

from .line_cancel_fixtures import DAY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rivals(stay_trip, stay_room):
    """The visitor's stay holds the one room for two nights; a rival's basket wants the two
    nights after it. The visitor moves one night later, onto the rival's first night."""
    line = stay_trip.line("stay")
    (basket,) = baskets_with(stay_data(stay_room, line.end_date), 1)
    return stay_trip, line, basket


def race(trip, line, basket):
    def move():
        try:
            change_stay(
                trip.order,
                line.pk,
                by_user=trip.order.user,
                check_in=line.start_date + DAY,
                check_out=line.end_date + DAY,
            )
        except SoldOut:
            return "move refused"
        except InventoryBusy:
            return "move busy"
        return "moved"

    def buy():
        try:
            check_out(basket.user, basket)
        except SoldOut:
            return "checkout refused"
        except InventoryBusy:
            return "checkout busy"
        return "ordered"

    return at_once([move, buy])


def nights_claimed(room, line):
    claimed = claimed_units("stay", [room.pk], line.start_date, line.end_date + 2 * DAY)
    return [claimed[(room.pk, line.start_date + i * DAY)] for i in range(4)]


def test_a_move_racing_a_checkout_for_the_same_night_lets_exactly_one_have_it(rivals, stay_room, monkeypatch):
    trip, line, basket = rivals
    # Whoever counts first holds the room type's lock a little longer: the other waits on it.
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.2))
    outcomes = race(trip, line, basket)
    assert sorted(outcomes.elements()) in (["checkout refused", "moved"], ["move refused", "ordered"])
    assert max(nights_claimed(stay_room, line)) == 1
    line.refresh_from_db()
    if outcomes["moved"]:
        assert line.status == LineStatus.CHANGED and not Order.objects.filter(user=basket.user).exists()
        assert nights_claimed(stay_room, line) == [0, 1, 1, 0]
    else:
        # The loser's dates are intact: the same line, its claim confirmed, its voucher valid.
        assert line.status == LineStatus.LIVE and line.voucher.voided_at is None
        assert list(line.reservations.values_list("status", flat=True)) == [ReservationStatus.CONFIRMED]
        assert nights_claimed(stay_room, line) == [1, 1, 1, 1]


def test_control_without_the_inventory_lock_both_get_the_night(rivals, stay_room, monkeypatch):
    """Proves the race above can fail: unlocked, the move and the checkout count the night free
    together and both take it."""
    trip, line, basket = rivals
    without_the_inventory_lock(monkeypatch)
    outcomes = race(trip, line, basket)
    assert outcomes == {"moved": 1, "ordered": 1}
    assert nights_claimed(stay_room, line) == [0, 1, 2, 1]


def test_the_same_change_sent_twice_at_once_is_made_once(stay_trip, stay_room, fake_online):
    """A double click: the second waits on the order's lock, then finds the line changed."""
    line = stay_trip.line("stay")

    def move():
        try:
            change_stay(
                stay_trip.order,
                line.pk,
                by_user=stay_trip.order.user,
                check_in=line.start_date,
                check_out=line.end_date + DAY,
            )
        except OrderStateError as exc:
            return exc.code
        return "moved"

    assert at_once([move, move]) == {"moved": 1, "already_changed": 1}
    assert stay_trip.order.lines.filter(cancelled_at__isnull=True).count() == 1
    assert [p.amount_fen for p in stay_trip.order.payments.order_by("pk")] == [2 * 30000, 30000]
    assert nights_claimed(stay_room, line) == [1, 1, 1, 0]
