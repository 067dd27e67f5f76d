"""A visitor moves a stay to other dates or another room of its homestay in one step: the new
nights are taken before the old are freed, the difference is paid or refunded by the policy, and
the voucher is reissued. A refused change leaves everything as it was."""

import datetime

import pytest
import time_machine
from django.core import mail

from orders import order_state
from orders.exceptions import DatesUnavailable, OrderStateError, SoldOut
from orders.lines import LineInvalid
from orders.models import (
    LineStatus,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    Reservation,
    ReservationStatus,
    Voucher,
)
from orders.selectors import claimed_units
from orders.stay_change import DifferenceChanged, change_stay, stay_change_quote
from reports import figures
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory

from .checkout_fixtures import basket_with_stay, check_out
from .line_cancel_fixtures import DAY, STAY_FEN, book
from .stay_change_fixtures import NIGHT_FEN, TEN_DAYS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def snapshot(order):
    """Everything a refused change must leave as it was."""
    return (
        sorted(
            OrderLine.objects.filter(order=order).values_list("pk", "start_date", "end_date", "cancelled_at")
        ),
        sorted(Reservation.objects.values_list("pk", "start_date", "end_date", "status")),
        sorted(Payment.objects.values_list("pk", "amount_fen", "refunded_fen", "status")),
        sorted(Voucher.objects.values_list("pk", "code", "voided_at")),
        Refund.objects.count(),
        order.__class__.objects.values_list("status", "total_fen").get(pk=order.pk),
    )


def move(trip, capture, *, by=0, nights=2, room=None, **kwargs):
    """Move the trip's stay ``by`` days with ``nights`` nights (to ``room``), at ten days before."""
    line = trip.line("stay")
    check_in = line.start_date + datetime.timedelta(days=by)
    with capture(execute=True):
        return change_stay(
            trip.order,
            line.pk,
            by_user=trip.order.user,
            check_in=check_in,
            check_out=check_in + datetime.timedelta(days=nights),
            room_type_id=room.pk if room else None,
            **kwargs,
        )


@pytest.mark.usefixtures("ten_days_before")
def test_a_longer_stay_paid_online_asks_a_new_payment_of_the_difference(
    stay_trip, fake_online, django_capture_on_commit_callbacks
):
    old = stay_trip.line("stay")
    old_code = old.voucher.code
    host = VerifiedUserFactory(email="host@example.com")
    OrderLine.objects.filter(pk=old.pk).update(provider_user=host)
    mail.outbox.clear()
    result = move(stay_trip, django_capture_on_commit_callbacks, nights=3)
    assert result.quote.difference_fen == NIGHT_FEN
    new, order = result.line, result.order
    assert (new.start_date, new.end_date, new.total_fen) == (
        old.start_date,
        old.end_date + DAY,
        3 * NIGHT_FEN,
    )
    old.refresh_from_db()
    assert old.status == LineStatus.CHANGED and old.replaced_by == new and new.status == LineStatus.LIVE
    assert (
        old.voucher.voided_at is not None and new.voucher.code != old_code and new.voucher.voided_at is None
    )
    # The difference: a payment of its own through the provider the order was paid with, started.
    assert (result.payment.provider, result.payment.amount_fen) == ("fake_online", NIGHT_FEN)
    assert result.payment.status == PaymentStatus.PENDING and result.payment.pk in fake_online.started
    assert result.client_secret == f"secret_{result.payment.pk}"
    assert (order.status, order.total_fen) == (OrderStatus.CONFIRMED, 3 * NIGHT_FEN)
    # The old claim is released, the new one confirmed.
    assert list(old.reservations.values_list("status", flat=True)) == [ReservationStatus.CANCELLED]
    assert list(new.reservations.values_list("status", "start_date", "end_date")) == [
        (ReservationStatus.CONFIRMED, new.start_date, new.end_date)
    ]
    # The visitor gets the new voucher; the host is told, in the town's language.
    to_visitor, to_host = mail.outbox
    assert to_visitor.to == [order.user.email] and new.voucher.code in to_visitor.body
    assert old_code not in to_visitor.body
    assert "¥300.00 more: please pay it from your order page" in to_visitor.body
    assert to_host.to == ["host@example.com"] and order.reference in to_host.subject
    assert "客人" in to_host.body and order.contact_phone in to_host.body
    # Paid: the order is paid again.
    order_state.payment_succeeded(result.payment, amount_fen=NIGHT_FEN, currency="CNY")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.parametrize(
    ("before", "refund_fen"),
    [
        # The homestay's moderate policy: the decrease back in full until 5 days before check-in,
        (datetime.timedelta(days=5), NIGHT_FEN),
        # then half of it.
        (datetime.timedelta(days=5) - datetime.timedelta(minutes=1), NIGHT_FEN // 2),
    ],
)
def test_a_shorter_stay_refunds_the_decrease_as_the_policy_refunds_a_cancellation(
    stay_trip, fake_online, django_capture_on_commit_callbacks, before, refund_fen
):
    line = stay_trip.line("stay")
    with time_machine.travel(line.starts_at - before, tick=False):
        quote = stay_change_quote(
            stay_trip.order, line, check_in=line.start_date, check_out=line.start_date + DAY
        )
        result = move(
            stay_trip, django_capture_on_commit_callbacks, nights=1, shown_difference_fen=-NIGHT_FEN
        )
    assert quote.difference_fen == result.quote.difference_fen == -NIGHT_FEN
    assert quote.refund_fen == result.quote.refund_fen == refund_fen
    assert quote.kept_fen == NIGHT_FEN - refund_fen
    assert fake_online.refunds == [(stay_trip.payment.pk, refund_fen)]
    payment = stay_trip.payment
    assert payment.refunded_fen == refund_fen and result.payment is None
    assert result.order.status == OrderStatus.PAID and result.order.total_fen == NIGHT_FEN
    old = OrderLine.objects.get(pk=line.pk)
    assert old.refund_fen == refund_fen and old.status == LineStatus.CHANGED


@pytest.mark.usefixtures("ten_days_before")
def test_moving_a_one_room_stay_by_one_night_fits_on_its_own_nights(
    stay_trip, stay_room, fake_online, django_capture_on_commit_callbacks
):
    """The room has one unit and the new nights overlap the old: the line's own claim is freed
    by the same change, so it does not stand in its way."""
    assert stay_room.units == 1
    old = stay_trip.line("stay")
    result = move(stay_trip, django_capture_on_commit_callbacks, by=1)
    assert result.quote.difference_fen == 0 and result.payment is None and not fake_online.refunds
    new = result.line
    assert (new.start_date, new.end_date) == (old.start_date + DAY, old.end_date + DAY)
    claimed = claimed_units("stay", [stay_room.pk], old.start_date, new.end_date)
    assert [claimed[(stay_room.pk, old.start_date + DAY * i)] for i in range(3)] == [0, 1, 1]
    assert result.order.total_fen == STAY_FEN and result.order.status == OrderStatus.PAID


@pytest.mark.usefixtures("ten_days_before")
def test_another_room_of_the_same_homestay_is_priced_as_that_room(
    stay_trip, stay_homestay, django_capture_on_commit_callbacks
):
    suite = RoomTypeFactory(page=stay_homestay, name="套房", units=1, base_price_fen=45000, max_guests=3)
    result = move(stay_trip, django_capture_on_commit_callbacks, room=suite)
    assert result.line.object_id == suite.pk and result.line.item_name == "套房"
    assert result.quote.difference_fen == 2 * 45000 - STAY_FEN == result.payment.amount_fen


@pytest.mark.usefixtures("ten_days_before")
def test_a_room_of_another_homestay_or_too_small_for_the_guests_is_refused(
    stay_trip, stay_homestay, django_capture_on_commit_callbacks
):
    elsewhere = RoomTypeFactory(page=HomestayPageFactory(parent=stay_homestay.get_parent()))
    single = RoomTypeFactory(page=stay_homestay, max_guests=1)
    before = snapshot(stay_trip.order)
    with pytest.raises(LineInvalid) as other:
        move(stay_trip, django_capture_on_commit_callbacks, room=elsewhere)
    with pytest.raises(LineInvalid) as small:
        move(stay_trip, django_capture_on_commit_callbacks, room=single)
    assert other.value.errors == {"room_type_id": "Please choose a room of the same homestay."}
    assert "sleeps at most 1 guests" in small.value.errors["guests"]
    assert snapshot(stay_trip.order) == before


@pytest.mark.usefixtures("ten_days_before")
def test_closed_nights_and_a_minimum_stay_are_refused_and_nothing_changes(
    stay_trip, stay_room, django_capture_on_commit_callbacks
):
    line = stay_trip.line("stay")
    RoomRateRuleFactory(room_type=stay_room, start_date=line.end_date + DAY * 7)
    RoomRateRuleFactory(
        room_type=stay_room, kind="min_nights", min_nights=3, start_date=line.end_date + DAY * 14
    )
    before = snapshot(stay_trip.order)
    with pytest.raises(DatesUnavailable, match="This room is closed on"):
        move(stay_trip, django_capture_on_commit_callbacks, by=8)
    with pytest.raises(DatesUnavailable, match="at least 3 nights"):
        move(stay_trip, django_capture_on_commit_callbacks, by=16)
    assert snapshot(stay_trip.order) == before


@pytest.mark.usefixtures("ten_days_before")
def test_nights_another_visitor_holds_are_refused_and_the_stay_keeps_its_dates(
    stay_trip, stay_room, django_capture_on_commit_callbacks
):
    line = stay_trip.line("stay")
    other = VerifiedUserFactory()
    check_out(other, basket_with_stay(other, stay_room, line.end_date, nights=2))
    before = snapshot(stay_trip.order)
    with pytest.raises(SoldOut):
        move(stay_trip, django_capture_on_commit_callbacks, by=1)
    assert snapshot(stay_trip.order) == before


@pytest.mark.usefixtures("ten_days_before")
def test_bad_dates_are_refused_with_their_reason(stay_trip, django_capture_on_commit_callbacks):
    before = snapshot(stay_trip.order)
    cases = [
        (-20, 2, "check_in", "Check-in cannot be in the past."),
        (0, 2, "check_in", "These are the dates and room you have booked"),
        (0, 0, "check_out", "Check-out must be after check-in."),
    ]
    for by, nights, field, message in cases:
        with pytest.raises(LineInvalid) as refused:
            move(stay_trip, django_capture_on_commit_callbacks, by=by, nights=nights)
        assert refused.value.errors[field].startswith(message)
    assert snapshot(stay_trip.order) == before


@pytest.mark.usefixtures("ten_days_before")
def test_a_difference_other_than_the_one_shown_changes_nothing(stay_trip, django_capture_on_commit_callbacks):
    before = snapshot(stay_trip.order)
    with pytest.raises(DifferenceChanged) as changed:
        move(stay_trip, django_capture_on_commit_callbacks, nights=3, shown_difference_fen=0)
    assert changed.value.quote.difference_fen == NIGHT_FEN and changed.value.code == "difference_changed"
    assert snapshot(stay_trip.order) == before


@pytest.mark.usefixtures("ten_days_before")
def test_a_second_change_waits_for_the_first_ones_difference_to_be_paid(
    stay_trip, django_capture_on_commit_callbacks
):
    move(stay_trip, django_capture_on_commit_callbacks, nights=3)
    before = snapshot(stay_trip.order)
    with pytest.raises(OrderStateError) as refused:
        move(stay_trip, django_capture_on_commit_callbacks, by=1, nights=3)
    assert refused.value.code == "difference_due" and snapshot(stay_trip.order) == before


def test_a_stay_that_has_started_or_another_users_cannot_move(stay_trip, django_capture_on_commit_callbacks):
    line = stay_trip.line("stay")
    stranger = VerifiedUserFactory()
    with time_machine.travel(line.starts_at - TEN_DAYS, tick=False), pytest.raises(OrderStateError) as other:
        change_stay(
            stay_trip.order, line.pk, by_user=stranger, check_in=line.end_date, check_out=line.end_date + DAY
        )
    with time_machine.travel(line.starts_at, tick=False), pytest.raises(OrderStateError) as started:
        move(stay_trip, django_capture_on_commit_callbacks, by=1)
    assert other.value.code == "not_found"
    assert (
        started.value.code == "not_changeable"
        and started.value.message == "This booking has already started."
    )


def test_on_site_the_amount_to_collect_follows_the_new_price(
    visitor, trip_things, django_capture_on_commit_callbacks
):
    """Nothing paid yet: more is added to the on-site payment; less comes off it, all of it."""
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(visitor, trip_things, "stay", method="on_site", paid=False)
    with time_machine.travel(trip.line("stay").starts_at - datetime.timedelta(days=2), tick=False):
        longer = move(trip, django_capture_on_commit_callbacks, nights=3)
        assert longer.payment is None and trip.payment.amount_fen == 3 * NIGHT_FEN
        shorter = move(trip, django_capture_on_commit_callbacks, nights=1)
    assert shorter.quote.refund_fen == 0 and shorter.quote.collect_less_fen == 2 * NIGHT_FEN
    assert trip.payment.amount_fen == NIGHT_FEN and trip.payment.status == PaymentStatus.PENDING
    assert (trip.fresh().status, trip.order.total_fen) == (OrderStatus.CONFIRMED, NIGHT_FEN)
    assert not Refund.objects.exists()


def test_paid_on_site_the_difference_is_a_new_payment_on_site(
    visitor, trip_things, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(visitor, trip_things, "stay", method="on_site")
    assert trip.order.status == OrderStatus.PAID
    with time_machine.travel(trip.line("stay").starts_at - TEN_DAYS, tick=False):
        result = move(trip, django_capture_on_commit_callbacks, nights=3)
        assert (result.payment.provider, result.payment.amount_fen) == ("on_site", NIGHT_FEN)
        assert result.order.status == OrderStatus.CONFIRMED and result.client_secret is None
        assert (
            order_state.mark_paid_on_site(result.order, by_user=VerifiedUserFactory(is_staff=True)) == "paid"
        )
    assert trip.fresh().status == OrderStatus.PAID


@pytest.mark.usefixtures("ten_days_before")
def test_the_visitor_is_told_in_the_orders_language(stay_trip, django_capture_on_commit_callbacks):
    stay_trip.order.language = "zh-hans"
    stay_trip.order.save(update_fields=["language"])
    mail.outbox.clear()
    result = move(stay_trip, django_capture_on_commit_callbacks, by=1)
    to_visitor = mail.outbox[0]
    assert result.line.voucher.code in to_visitor.body
    assert "已更改" in to_visitor.subject or "新日期" in to_visitor.subject
    assert "价格不变" in to_visitor.body


@pytest.mark.usefixtures("ten_days_before")
def test_the_town_reports_count_a_moved_stay_as_sold_not_cancelled(
    stay_trip, django_capture_on_commit_callbacks
):
    old = stay_trip.line("stay")
    new = move(stay_trip, django_capture_on_commit_callbacks, by=1).line
    assert list(figures.sold_lines().values_list("pk", flat=True)) == [new.pk]
    assert not figures.cancelled_lines().filter(pk__in=[old.pk, new.pk]).exists()


@pytest.mark.usefixtures("ten_days_before")
def test_a_shortened_stay_keeps_its_revenue_when_the_order_is_refunded_more(
    stay_trip, django_capture_on_commit_callbacks
):
    """Shortened to one night (its ¥300 refunded with the old line), then staff give back ¥60 on
    the order: the one night shows ¥240. The order's total already left the old line out."""
    new = move(stay_trip, django_capture_on_commit_callbacks, nights=1, shown_difference_fen=-NIGHT_FEN).line
    Refund.objects.create(payment=stay_trip.payment, amount_fen=6000, reason="goodwill")
    period = figures.Period(new.start_date, new.end_date + datetime.timedelta(days=1))
    (row,) = [row for row in figures.homestay_rows.uncached(period) if row.key == new.page_id_snapshot]
    assert (row.revenue_fen, row.nights_sold) == (NIGHT_FEN - 6000, 1)


@pytest.mark.usefixtures("ten_days_before")
def test_the_line_a_change_replaced_cannot_move_again(stay_trip, django_capture_on_commit_callbacks):
    old = stay_trip.line("stay")
    move(stay_trip, django_capture_on_commit_callbacks, by=1)
    before = snapshot(stay_trip.order)
    with pytest.raises(OrderStateError) as refused:
        change_stay(
            stay_trip.order,
            old.pk,
            by_user=stay_trip.order.user,
            check_in=old.start_date,
            check_out=old.end_date,
        )
    assert refused.value.code == "already_changed" and snapshot(stay_trip.order) == before


def test_what_the_policy_kept_on_a_shorter_stay_stays_kept_when_a_longer_one_is_paid(
    stay_trip, fake_online, django_capture_on_commit_callbacks
):
    """Three days before check-in the moderate policy gives half a decrease back; a later
    increase paid online pays the difference only, and gives nothing more back."""
    line = stay_trip.line("stay")
    with time_machine.travel(line.starts_at - datetime.timedelta(days=3), tick=False):
        shorter = move(stay_trip, django_capture_on_commit_callbacks, nights=1)
        longer = move(stay_trip, django_capture_on_commit_callbacks, nights=3)
        assert (shorter.quote.refund_fen, shorter.quote.kept_fen) == (NIGHT_FEN // 2, NIGHT_FEN // 2)
        assert longer.payment.amount_fen == 2 * NIGHT_FEN
        with django_capture_on_commit_callbacks(execute=True):
            order_state.payment_succeeded(longer.payment, amount_fen=2 * NIGHT_FEN, currency="CNY")
    assert fake_online.refunds == [(stay_trip.order.payments.earliest("pk").pk, NIGHT_FEN // 2)]
    assert stay_trip.fresh().status == OrderStatus.PAID


@pytest.mark.usefixtures("ten_days_before")
def test_a_visitor_and_a_host_on_phones_hear_of_the_new_dates_by_text(
    stay_trip, django_capture_on_commit_callbacks, sms_outbox
):
    """Hosts and visitors who chose text messages (or have only a number) get the change by SMS,
    with the short links, as they get the booking itself."""
    visitor = stay_trip.order.user
    visitor.phone_number, visitor.phone_verified, visitor.notify_by_email = "+8613900000011", True, False
    visitor.save()
    host = UserFactory(email=None, phone_number="+8613900000012", phone_verified=True)
    OrderLine.objects.filter(pk=stay_trip.line("stay").pk).update(provider_user=host)
    mail.outbox.clear()
    result = move(stay_trip, django_capture_on_commit_callbacks, by=1)
    reference = result.order.reference
    to_visitor, to_host = sms_outbox
    assert (to_visitor.phone, to_visitor.template) == ("+8613900000011", "stay_changed")
    assert f"Your booking {reference} has new dates" in to_visitor.text
    assert f"/o/{reference}/" in to_visitor.text
    assert (to_host.phone, to_host.template) == ("+8613900000012", "provider_stay_changed")
    assert reference in to_host.text and f"/p/{reference}/" in to_host.text
    assert "客人" in to_host.text  # the host's language: the town's
    assert mail.outbox == []  # neither chose e-mail (the host has no address)
