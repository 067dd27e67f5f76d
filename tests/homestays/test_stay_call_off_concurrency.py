"""PostgreSQL, real threads: staff close a homestay's night while visitors check out rooms for it
and pay at the desk. A checkout either lands before the closure (and its order is then cancelled
and refunded) or is refused: no order ends sold on the closed night, and nothing stays claimed.

The visitors arrive ``STAGGER`` apart and each holds the room type's lock ``HOLD`` long while
checking out (``reservations._after_count``); staff click between the second and the third, so
the call-off lands in the middle of the queue for the lock. The control switches off checkout's
inventory lock: a visitor then stays booked on the closed night, which proves the race can fail.
And the same closure sent twice at once (a double click) cancels and refunds once.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest

from homestays.models import RateRuleKind, RoomRateRule
from orders import order_state, organiser_cancel, reservations
from orders.exceptions import CalledOff, DatesUnavailable, SoldOut
from orders.models import SOLD_STATUSES, CallOff, CallOffRefund, Order, OrderStatus, Refund, ReservationKind
from orders.models.orders import MONEY_IN
from orders.selectors import claimed_units
from tests.concurrency import at_once, baskets_with, checkouts_racing_staff
from tests.factories.accounts import SuperuserFactory
from tests.factories.homestays import RoomTypeFactory
from tests.orders.checkout_fixtures import check_out, stay_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAY = ReservationKind.STAY
VISITORS = 8
HOLD = 0.5
STAGGER = 0.1


@pytest.fixture
def desk(db):
    return SuperuserFactory()


@pytest.fixture
def big_room(stay_homestay):
    return RoomTypeFactory(page=stay_homestay, units=20, base_price_fen=30000, max_guests=2)


@pytest.fixture
def slow_checkout(monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(HOLD))


def race(room, night, desk):
    """Visitors check out one room for ``night`` (then pay at the desk) while staff close it."""
    refused = "refused_closed"
    return checkouts_racing_staff(
        baskets_with(stay_data(room, night, nights=1), VISITORS),
        lambda: organiser_cancel.call_off(
            STAY, [room.pk], nights=(night, night + timedelta(days=1)), reason="山洪", by_user=desk
        ),
        desk=desk,
        refusals={DatesUnavailable: refused, SoldOut: refused, CalledOff: refused},
        stagger=STAGGER,
    )


def orders_on(room):
    return Order.objects.filter(lines__kind=STAY, lines__object_id=room.pk).distinct()


def test_staff_close_a_night_while_visitors_book_it(big_room, arrival, desk, slow_checkout):
    outcomes, (result,) = race(big_room, arrival, desk)

    assert set(outcomes) <= {"ordered_and_paid", "ordered_then_called_off", "refused_closed"}, outcomes
    assert outcomes["refused_closed"] >= 1, outcomes  # the closure landed mid-queue
    assert result.busy == []
    assert RoomRateRule.objects.filter(room_type=big_room, kind=RateRuleKind.CLOSED).count() == 1
    statuses = Counter(orders_on(big_room).values_list("status", flat=True))
    assert statuses, "no visitor got in before the closure"
    assert not set(statuses) & {*SOLD_STATUSES, OrderStatus.PENDING}, statuses
    for order in orders_on(big_room).prefetch_related("payments"):
        paid = sum(p.amount_fen for p in order.payments.all() if p.status in MONEY_IN)
        refunded = sum(p.refunded_fen for p in order.payments.all())
        assert refunded == paid, order.reference
    assert (
        claimed_units(STAY, [big_room.pk], arrival, arrival + timedelta(days=1))[(big_room.pk, arrival)] == 0
    )


def test_control_without_the_checkout_lock_a_visitor_stays_booked_on_the_closed_night(
    big_room, arrival, desk, slow_checkout, monkeypatch
):
    monkeypatch.setattr(
        reservations, "lock_rows", lambda model, pks: model._default_manager.in_bulk(sorted(pks))
    )
    race(big_room, arrival, desk)
    assert orders_on(big_room).filter(status__in=SOLD_STATUSES).exists()


def test_the_same_closure_sent_twice_at_once_cancels_and_refunds_once(big_room, arrival, desk):
    """A double click on "Cancel and refund": both requests run at the same instant; the nights
    are closed once, each order cancelled and refunded once, one call-off recorded."""
    for basket in baskets_with(stay_data(big_room, arrival, nights=1), 3):
        order_state.mark_paid_on_site(check_out(basket.user, basket).order, by_user=desk)
    nights = (arrival, arrival + timedelta(days=1))

    def close():
        result = organiser_cancel.call_off(STAY, [big_room.pk], nights=nights, reason="山洪", by_user=desk)
        return result.summary.orders

    outcomes = at_once([close, close])

    counts = list(outcomes.elements())
    assert all(isinstance(n, int) for n in counts), outcomes  # neither request failed
    assert sum(counts) == 3  # each order cancelled by one of them
    assert RoomRateRule.objects.filter(room_type=big_room, kind=RateRuleKind.CLOSED).count() == 1
    assert CallOff.objects.count() == 1
    assert CallOffRefund.objects.count() == Refund.objects.count() == 3
    assert set(orders_on(big_room).values_list("status", flat=True)) == {OrderStatus.REFUNDED}
