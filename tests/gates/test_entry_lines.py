"""Timed entry through the one basket: validation, price, caps, real name, checkout, cancel."""

import datetime

import pytest

from gates.models import EntryPass
from orders import basket as basket_service
from orders import line_cancel
from orders.exceptions import ReservationError, SoldOut
from orders.lines import LineInvalid, describing_kind
from orders.models import Basket, BasketLine, Order, Reservation
from orders.selectors import claimed_units
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import id_number, window_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ALICE = id_number("33010619900307123")
BOB = id_number("11010519850101002")


def entry(window, *names_and_numbers, **extra):
    data = {"kind": "entry", "window_id": window.pk, **extra}
    if names_and_numbers:
        data["holders"] = [{"name": n, "id_number": i} for n, i in names_and_numbers]
    return data


@pytest.fixture
def basket(db):
    return Basket.objects.create(user=VerifiedUserFactory())


def test_real_name_entry_keeps_the_number_sealed_and_masked(real_name_rule, basket):
    window = window_at(real_name_rule)
    line = basket_service.add_line(basket, entry(window, ("王芳", ALICE), ("李明", BOB)))
    assert line.quantity == 2
    stored = BasketLine.objects.get(pk=line.pk)
    holder = stored.options["holders"][0]
    assert holder["id_masked"] == ALICE[:4] + "**********" + ALICE[-4:]
    assert ALICE not in str(stored.options)
    (view,) = basket_service.summarize(basket).lines
    assert "3301**********" in view.title and ALICE not in view.title
    assert view.price.total.fen == 0


def test_real_name_needs_valid_numbers_and_nothing_is_stored(real_name_rule, basket):
    window = window_at(real_name_rule)
    bad_check = ALICE[:-1] + ("0" if ALICE[-1] != "0" else "1")
    with pytest.raises(LineInvalid) as caught:
        basket_service.add_line(basket, entry(window, ("王芳", bad_check), ("", BOB)))
    assert "last character" in caught.value.errors["holders.0.id_number"]
    assert "holders.1.name" in caught.value.errors
    with pytest.raises(LineInvalid) as caught:
        basket_service.add_line(basket, entry(window, people=2))
    assert "holders" in caught.value.errors
    with pytest.raises(LineInvalid) as caught:
        basket_service.add_line(basket, entry(window, ("王芳", ALICE), ("王芳", ALICE)))
    assert "twice" in caught.value.errors["holders.1.id_number"]
    assert not BasketLine.objects.exists()
    assert not EntryPass.objects.exists()


def test_paid_entry_is_priced_on_the_server(paid_rule, basket):
    line = basket_service.add_line(basket, entry(window_at(paid_rule), people=3, price_fen=1))
    (view,) = basket_service.summarize(basket).lines
    assert (line.quantity, view.price.total.fen) == (3, 18000)
    with pytest.raises(LineInvalid):
        basket_service.add_line(basket, entry(window_at(paid_rule), people=6))  # 5 per booking


def test_a_window_in_the_past_is_refused(paid_rule, basket, now):
    past = window_at(paid_rule, day_offset=0, hour=9)  # 09:00–10:00 today, now is 09:30: still on
    basket_service.add_line(basket, entry(past, people=1))
    over = paid_rule.windows.filter(ends_at__lte=now).first()
    assert over is None  # today's windows start at 09:00: make one that is over
    from gates.models import EntryWindow

    over = EntryWindow.objects.create(
        rule=paid_rule,
        day=past.day,
        starts_at=past.starts_at - datetime.timedelta(hours=2),
        ends_at=past.starts_at - datetime.timedelta(hours=1),
    )
    with pytest.raises(LineInvalid) as caught:
        basket_service.add_line(basket, entry(over, people=1))
    assert "over" in caught.value.errors["window_id"]


def test_window_cap_and_day_cap(paid_rule):
    # 10 per window, 25 per day: two full windows and 5 in the third fill the day.
    for hour, people in ((9, 5), (9, 5), (10, 5), (10, 5), (11, 5)):
        buyer = Basket.objects.create(user=VerifiedUserFactory())
        basket_service.add_line(buyer, entry(window_at(paid_rule, hour=hour), people=people))
        check_out(buyer.user, buyer)
    late = Basket.objects.create(user=VerifiedUserFactory())
    with pytest.raises(SoldOut, match="window is full"):
        basket_service.add_line(late, entry(window_at(paid_rule, hour=10), people=1))
    with pytest.raises(SoldOut, match="fully booked"):
        basket_service.add_line(late, entry(window_at(paid_rule, hour=11), people=1))
    assert claimed_units("entry_day", [window_at(paid_rule).day_id])[window_at(paid_rule).day_id] == 25


def test_day_cap_is_checked_under_the_lock_at_checkout(paid_rule):
    """Two baskets both fit when added; the second checkout finds the day full."""
    first, second = (Basket.objects.create(user=VerifiedUserFactory()) for _ in range(2))
    for hour in (9, 10):
        filler = Basket.objects.create(user=VerifiedUserFactory())
        basket_service.add_line(filler, entry(window_at(paid_rule, hour=hour), people=5))
        basket_service.add_line(filler, entry(window_at(paid_rule, hour=hour), people=5))
        check_out(filler.user, filler)
    basket_service.add_line(first, entry(window_at(paid_rule, hour=11), people=5))
    basket_service.add_line(second, entry(window_at(paid_rule, hour=11), people=1))
    check_out(first.user, first)
    with pytest.raises(SoldOut, match="fully booked"):
        check_out(second.user, second)
    assert second.lines.count() == 1 and Order.objects.filter(user=second.user).count() == 0


def test_one_entry_per_id_per_day_per_spot(real_name_rule, basket):
    basket_service.add_line(basket, entry(window_at(real_name_rule, hour=9), ("王芳", ALICE)))
    order = check_out(basket.user, basket).order
    assert order.status == "confirmed"  # free: confirmed at once, with a voucher
    line = order.lines.get()
    assert line.voucher.code
    summary = describing_kind("entry").summary(line)
    assert "王芳 3301**********" in summary and ALICE not in summary
    again = Basket.objects.create(user=VerifiedUserFactory())
    with pytest.raises(SoldOut, match="already has an entry"):
        basket_service.add_line(again, entry(window_at(real_name_rule, hour=11), ("Wang Fang", ALICE)))
    # Another day is fine, and so is another person.
    basket_service.add_line(again, entry(window_at(real_name_rule, day_offset=2), ("王芳", ALICE)))
    basket_service.add_line(again, entry(window_at(real_name_rule, hour=11), ("李明", BOB)))
    # Cancelling the first entry frees the ID for that day.
    line_cancel.cancel_line(order, line.pk, by_user=basket.user)
    basket_service.add_line(again, entry(window_at(real_name_rule, hour=11), ("王芳", ALICE)))
    check_out(again.user, again)
    assert Reservation.objects.filter(kind="entry_id", status="confirmed").count() == 3


def test_same_id_in_two_baskets_checks_out_once(real_name_rule):
    baskets = [Basket.objects.create(user=VerifiedUserFactory()) for _ in range(2)]
    for basket, hour in zip(baskets, (9, 10), strict=True):
        basket_service.add_line(basket, entry(window_at(real_name_rule, hour=hour), ("王芳", ALICE)))
    check_out(baskets[0].user, baskets[0])
    with pytest.raises(ReservationError, match="already has an entry"):
        check_out(baskets[1].user, baskets[1])
    assert EntryPass.objects.count() == 1
