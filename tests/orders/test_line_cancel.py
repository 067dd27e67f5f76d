"""A visitor cancels one line of a confirmed order: the line's kind decides the refund, which is
the quote shown; the capacity comes back, the voucher is void, the order stands for the rest."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from orders import line_cancel, order_state
from orders.exceptions import OrderStateError, SoldOut
from orders.line_cancel import cancel_line, line_cancellation_quote
from orders.models import (
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    Reservation,
    ReservationStatus,
)
from orders.selectors import claimed_units
from products.dashboard import selectors as dashboard_selectors
from products.dashboard.services import NotFound, update_fulfilment
from products.models import FulfilmentStatus, LineFulfilment
from tests.events.ticket_fixtures import buy_tickets
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from town.page_cache import STOCK_KEY, stock_tag

from .line_cancel_fixtures import DAY, MINUTE, PRODUCE_FEN, STAY_FEN, TICKET_FEN, TICKETS, TOUR_FEN, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIVE_DAYS, SEVEN_DAYS = datetime.timedelta(days=5), datetime.timedelta(days=7)


def cancel(trip, kind, capture, **kwargs):
    with capture(execute=True):
        return cancel_line(trip.order, trip.line(kind).pk, by_user=trip.order.user, **kwargs)


def snapshot(order):
    """Everything a refused cancellation must leave as it was."""
    return (
        sorted(
            OrderLine.objects.filter(order=order).values_list("pk", "quantity", "total_fen", "cancelled_at")
        ),
        sorted(Reservation.objects.values_list("pk", "quantity", "status")),
        sorted(Payment.objects.values_list("pk", "amount_fen", "refunded_fen", "status")),
        Refund.objects.count(),
        order.__class__.objects.get(pk=order.pk).status,
    )


# --- each kind's rule at its boundaries -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "before", "refund_fen"),
    [
        # The homestay's moderate policy: in full until 5 days before check-in, then half.
        ("stay", FIVE_DAYS, STAY_FEN),
        ("stay", FIVE_DAYS - MINUTE, STAY_FEN // 2),
        # The experience's flexible policy: in full until 24 hours before, then nothing.
        ("tour", DAY, TOUR_FEN),
        ("tour", DAY - MINUTE, 0),
        # The ticket type's strict policy: half until 7 days before, then nothing.
        ("ticket", SEVEN_DAYS, TICKETS * TICKET_FEN // 2),
        ("ticket", SEVEN_DAYS - MINUTE, 0),
    ],
)
def test_each_kind_refunds_by_its_own_policy_exactly_at_the_deadline_and_a_minute_after(
    trip, fake_online, django_capture_on_commit_callbacks, kind, before, refund_fen
):
    line = trip.line(kind)
    with time_machine.travel(line.starts_at - before, tick=False):
        quote = line_cancellation_quote(trip.order, line)
        result = cancel(trip, kind, django_capture_on_commit_callbacks)
    assert quote.cancellable and quote.refund_fen == result.refund_fen == refund_fen
    assert quote.reason == result.cancelled.cancel_reason and quote.reason
    assert fake_online.refunds == ([(trip.payment.pk, refund_fen)] if refund_fen else [])
    payment = trip.payment
    assert payment.refunded_fen == refund_fen
    assert payment.status == (PaymentStatus.PARTIALLY_REFUNDED if refund_fen else PaymentStatus.SUCCEEDED)
    assert trip.fresh().status == OrderStatus.PAID  # the other three lines stand
    cancelled = OrderLine.objects.get(pk=line.pk)
    assert (cancelled.status, cancelled.refund_fen, cancelled.cancelled_by) == (
        "cancelled",
        refund_fen,
        trip.order.user,
    )


@pytest.mark.parametrize("kind", ["stay", "tour", "ticket"])
def test_once_it_has_started_a_line_cannot_be_cancelled(trip, django_capture_on_commit_callbacks, kind):
    line = trip.line(kind)
    before = snapshot(trip.order)
    with time_machine.travel(line.starts_at + MINUTE, tick=False):
        quote = line_cancellation_quote(trip.order, line)
        with pytest.raises(OrderStateError) as refused:
            cancel(trip, kind, django_capture_on_commit_callbacks)
    assert not quote.cancellable and quote.reason == "This booking has already started."
    assert (refused.value.code, str(refused.value.message)) == ("not_cancellable", quote.reason)
    assert snapshot(trip.order) == before


def test_the_reason_says_which_rule_gave_the_amount(trip):
    stay, tour = trip.line("stay"), trip.line("tour")
    with time_machine.travel(stay.starts_at - FIVE_DAYS + MINUTE, tick=False):
        assert line_cancellation_quote(trip.order, stay).reason == (
            "50% refund: less than 5 days before the start (moderate policy)."
        )
    with time_machine.travel(tour.starts_at - DAY, tick=False):
        assert line_cancellation_quote(trip.order, tour).reason == (
            "Full refund: at least 24 hours before the start (flexible policy)."
        )


def test_produce_comes_back_in_full_until_the_farmer_packs_it(
    trip, fake_online, django_capture_on_commit_callbacks
):
    produce = trip.line("product")
    farmer = produce.provider_user
    mail.outbox.clear()
    # Whatever the day: the farmer has not packed it.
    with time_machine.travel(trip.line("stay").starts_at - MINUTE, tick=False):
        quote = line_cancellation_quote(trip.order, produce)
        result = cancel(trip, "product", django_capture_on_commit_callbacks)
    assert quote.refund_fen == result.refund_fen == PRODUCE_FEN
    assert quote.reason == "Full refund: the farmer has not packed it yet."
    assert fake_online.refunds == [(trip.payment.pk, PRODUCE_FEN)]
    # The farmer is told, in their language (the town's), and no longer has it to pack.
    (notice,) = [m for m in mail.outbox if m.to == [farmer.email]]
    assert "客人取消" in notice.subject and trip.order.reference in notice.subject
    producer = farmer.producer
    assert produce.pk not in {line.pk for line in dashboard_selectors.lines_to_fulfil(producer)}
    with pytest.raises(NotFound):
        update_fulfilment(producer, produce.pk, FulfilmentStatus.PACKED)
    assert not LineFulfilment.objects.exists()


def test_packed_produce_is_refused_and_nothing_changes(trip, django_capture_on_commit_callbacks):
    produce = trip.line("product")
    update_fulfilment(produce.provider_user.producer, produce.pk, FulfilmentStatus.PACKED)
    before = snapshot(trip.order)
    quote = line_cancellation_quote(trip.order, produce)
    assert not quote.cancellable
    assert quote.reason == "The farmer has already packed it: it can no longer be cancelled."
    with pytest.raises(OrderStateError) as refused:
        cancel(trip, "product", django_capture_on_commit_callbacks)
    assert refused.value.code == "not_cancellable" and "packed" in str(refused.value.message)
    assert snapshot(trip.order) == before
    # Nor can the whole order go with it: the produce is on its way.
    quote = order_state.cancellation_quote(trip.order)
    assert not quote.cancellable and "packed" in quote.reason
    with pytest.raises(OrderStateError):
        order_state.cancel_order(trip.order, by_user=trip.order.user)
    assert snapshot(trip.order) == before


# --- some of a line's tickets -----------------------------------------------------------------


def test_three_of_five_tickets_go_back_and_the_voucher_keeps_admitting_the_other_two(
    trip, trip_things, fake_online, django_capture_on_commit_callbacks
):
    tickets = trip.line("ticket")
    code = tickets.voucher.code
    with time_machine.travel(tickets.starts_at - SEVEN_DAYS - DAY, tick=False):
        quote = line_cancellation_quote(trip.order, tickets, quantity=3)
        result = cancel(trip, "ticket", django_capture_on_commit_callbacks, quantity=3)
    assert quote.refund_fen == result.refund_fen == 3 * TICKET_FEN // 2  # strict: half
    assert fake_online.refunds == [(trip.payment.pk, 3 * TICKET_FEN // 2)]

    kept, given_back = result.line, result.cancelled
    assert kept.pk == tickets.pk and given_back.split_from_id == tickets.pk
    assert (kept.status, kept.quantity, kept.guests, kept.total_fen) == ("live", 2, 2, 2 * TICKET_FEN)
    assert (given_back.status, given_back.quantity, given_back.total_fen) == ("cancelled", 3, 3 * TICKET_FEN)
    assert given_back.refund_fen == 3 * TICKET_FEN // 2
    # The same code admits the two kept (the gate reads the quantity when it scans); the tickets
    # given back have a void voucher of their own.
    kept.refresh_from_db()
    assert (kept.voucher.code, kept.voucher.voided_at) == (code, None)
    assert given_back.voucher.voided_at is not None and given_back.voucher.code != code
    # Only those three seats came back: two claimed, three free for others.
    claims = {r.order_line_id: (r.quantity, r.status) for r in Reservation.objects.filter(kind="ticket")}
    assert claims == {
        kept.pk: (2, ReservationStatus.CONFIRMED),
        given_back.pk: (3, ReservationStatus.CANCELLED),
    }
    ticket_type = trip_things.ticket_type
    assert claimed_units("ticket", [ticket_type.pk])[ticket_type.pk] == 2
    assert buy_tickets(VerifiedUserFactory(), ticket_type, 3).order.status == OrderStatus.CONFIRMED
    with pytest.raises(SoldOut):
        buy_tickets(VerifiedUserFactory(), ticket_type, 1)
    assert trip.fresh().status == OrderStatus.PAID


def test_the_rest_of_the_tickets_can_go_later(trip, django_capture_on_commit_callbacks):
    cancel(trip, "ticket", django_capture_on_commit_callbacks, quantity=3)
    result = cancel(trip, "ticket", django_capture_on_commit_callbacks, quantity=2)
    assert result.cancelled.pk == result.line.pk and result.line.status == "cancelled"
    assert not trip.order.lines.filter(kind="ticket", cancelled_at__isnull=True).exists()
    assert claimed_units("ticket", [result.line.object_id])[result.line.object_id] == 0


@pytest.mark.parametrize(
    ("kind", "quantity", "message"),
    [
        ("ticket", 6, "This line holds 5: please give a number from 1 to 5."),
        ("ticket", 0, "This line holds 5: please give a number from 1 to 5."),
        ("ticket", "3", "This line holds 5: please give a number from 1 to 5."),
        ("ticket", True, "This line holds 5: please give a number from 1 to 5."),
        ("product", 1, "This line can only be cancelled as a whole."),
    ],
)
def test_a_quantity_the_line_cannot_give_back_is_refused(
    trip, django_capture_on_commit_callbacks, kind, quantity, message
):
    before = snapshot(trip.order)
    with pytest.raises(OrderStateError) as refused:
        cancel(trip, kind, django_capture_on_commit_callbacks, quantity=quantity)
    assert (refused.value.code, str(refused.value.message)) == ("bad_quantity", message)
    assert snapshot(trip.order) == before


# --- refusals ---------------------------------------------------------------------------------


def test_cancelling_a_line_twice_refunds_once(trip, fake_online, django_capture_on_commit_callbacks):
    tour = trip.line("tour")
    cancel(trip, "tour", django_capture_on_commit_callbacks)
    before = snapshot(trip.order)
    with pytest.raises(OrderStateError) as refused, django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, tour.pk, by_user=trip.order.user)
    assert (refused.value.code, str(refused.value.message)) == (
        "already_cancelled",
        "This line is already cancelled.",
    )
    assert snapshot(trip.order) == before
    assert fake_online.refunds == [(trip.payment.pk, TOUR_FEN)]


def test_another_users_line_does_not_exist_for_them(trip, trip_things):
    before = snapshot(trip.order)
    stranger = VerifiedUserFactory()
    with pytest.raises(OrderStateError) as refused:
        cancel_line(trip.order, trip.line("tour").pk, by_user=stranger)
    assert refused.value.code == "not_found"
    # Nor a line of someone else's order through one's own.
    theirs = book(stranger, trip_things, "product", method="on_site", paid=False)
    with pytest.raises(OrderStateError) as refused:
        cancel_line(trip.order, theirs.line("product").pk, by_user=trip.order.user)
    assert refused.value.code == "not_found"
    assert snapshot(trip.order)[0] == before[0]
    assert theirs.line("product").status == "live"


def test_a_used_voucher_cannot_be_given_back(trip, django_capture_on_commit_callbacks):
    tour = trip.line("tour")
    tour.voucher.used_at = tour.starts_at - datetime.timedelta(hours=30)
    tour.voucher.save()
    before = snapshot(trip.order)
    with pytest.raises(OrderStateError) as refused:
        cancel(trip, "tour", django_capture_on_commit_callbacks)
    assert refused.value.code == "not_cancellable" and "checked in" in str(refused.value.message)
    assert snapshot(trip.order) == before


def test_a_pending_order_is_paid_or_cancelled_whole(visitor, trip_things, fake_online):
    pending = book(visitor, trip_things, "stay", "tour", paid=False)
    with pytest.raises(OrderStateError) as refused:
        cancel_line(pending.order, pending.line("tour").pk, by_user=visitor)
    assert refused.value.code == "order_not_changeable" and "pay for it first" in str(refused.value.message)


def test_a_refund_other_than_the_one_shown_cancels_nothing(trip, django_capture_on_commit_callbacks):
    stay = trip.line("stay")
    with time_machine.travel(stay.starts_at - FIVE_DAYS - MINUTE, tick=False):
        shown = line_cancellation_quote(trip.order, stay).refund_fen
    assert shown == STAY_FEN
    before = snapshot(trip.order)
    # The visitor confirms two minutes later: the deadline has passed meanwhile.
    with (
        time_machine.travel(stay.starts_at - FIVE_DAYS + MINUTE, tick=False),
        pytest.raises(line_cancel.RefundChanged) as refused,
    ):
        cancel(trip, "stay", django_capture_on_commit_callbacks, shown_refund_fen=shown)
    assert refused.value.code == "refund_changed" and refused.value.quote.refund_fen == STAY_FEN // 2
    assert snapshot(trip.order) == before


# --- what follows -----------------------------------------------------------------------------


def test_the_seats_come_back_the_voucher_is_void_and_the_tour_page_is_cleared(
    trip, trip_things, django_capture_on_commit_callbacks
):
    tour = trip.line("tour")
    slot = trip_things.slot
    key = STOCK_KEY.format(stock_tag("tour", slot.pk))
    cache.set(key, 1, timeout=None)
    cancel(trip, "tour", django_capture_on_commit_callbacks)
    assert cache.get(key) != 1  # the cached pages showing the slot's seats are stale now
    tour.voucher.refresh_from_db()
    assert tour.voucher.voided_at is not None
    assert claimed_units("tour", [slot.pk])[slot.pk] == 0
    assert trip.line("stay").voucher.voided_at is None


def test_the_visitor_and_the_host_are_told(trip, django_capture_on_commit_callbacks):
    stay = trip.line("stay")
    host = VerifiedUserFactory(email="host@example.com")
    OrderLine.objects.filter(pk=stay.pk).update(provider_user=host)
    mail.outbox.clear()
    with time_machine.travel(stay.starts_at - FIVE_DAYS - DAY, tick=False):
        cancel(trip, "stay", django_capture_on_commit_callbacks)
    to_visitor = [m for m in mail.outbox if m.to == [trip.order.user.email]]
    assert sorted(m.subject.split("] ")[1] for m in to_visitor) == [
        f"Refund for {trip.order.reference}",
        f"You cancelled part of your booking {trip.order.reference}",
    ]
    cancelled = next(m for m in to_visitor if "You cancelled" in m.subject)
    assert "You get back ¥600.00" in cancelled.body
    assert "The rest of your booking is unchanged." in cancelled.body
    # The host reads the town's language, whatever the visitor's.
    (notice,) = [m for m in mail.outbox if m.to == ["host@example.com"]]
    assert trip.order.reference in notice.subject and "客人" in notice.subject
    assert "客人" in notice.body and stay.title in notice.body


def test_a_host_who_uses_english_is_told_in_english(trip, django_capture_on_commit_callbacks):
    stay = trip.line("stay")
    host = VerifiedUserFactory(email="host@example.com", language="en")
    OrderLine.objects.filter(pk=stay.pk).update(provider_user=host)
    mail.outbox.clear()
    with time_machine.travel(stay.starts_at - FIVE_DAYS - DAY, tick=False), translation.override("zh-hans"):
        cancel(trip, "stay", django_capture_on_commit_callbacks)
    (notice,) = [m for m in mail.outbox if m.to == ["host@example.com"]]
    assert f"Booking {trip.order.reference}: the guest cancelled part of it" in notice.subject
    assert "客人" not in notice.body and stay.title in notice.body


def test_the_last_live_line_cancels_the_order(
    visitor, trip_things, fake_online, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        small = book(visitor, trip_things, "tour", "product")
    cancel(small, "tour", django_capture_on_commit_callbacks)
    assert small.fresh().status == OrderStatus.PAID
    cancel(small, "product", django_capture_on_commit_callbacks)
    order = small.fresh()
    # Everything came back in full: refunded.
    assert order.status == OrderStatus.REFUNDED and order.cancelled_at is not None
    assert small.payment.refunded_fen == TOUR_FEN + PRODUCE_FEN
    assert not Reservation.objects.filter(status=ReservationStatus.CONFIRMED).exists()


def test_unpaid_on_site_nothing_to_refund_and_less_to_collect(
    visitor, trip_things, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        on_site = book(visitor, trip_things, "stay", "tour", method="on_site", paid=False)
    assert on_site.order.status == OrderStatus.CONFIRMED
    quote = line_cancellation_quote(on_site.order, on_site.line("tour"))
    assert (quote.refund_fen, quote.collect_less_fen) == (0, TOUR_FEN)
    assert (
        quote.reason
        == "Nothing has been paid yet, so there is nothing to refund. You will pay ¥160.00 less on site."
    )
    cancel(on_site, "tour", django_capture_on_commit_callbacks)
    payment = on_site.payment
    assert (payment.amount_fen, payment.status) == (STAY_FEN, PaymentStatus.PENDING)
    assert not Refund.objects.exists() and on_site.fresh().status == OrderStatus.CONFIRMED
    # Taking the stay's money on site later refunds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        order_state.mark_paid_on_site(on_site.order, by_user=VerifiedUserFactory(is_staff=True))
    assert on_site.fresh().status == OrderStatus.PAID and not Refund.objects.exists()


def test_a_host_on_a_phone_hears_of_the_cancellation_by_text(
    trip, django_capture_on_commit_callbacks, sms_outbox
):
    stay = trip.line("stay")
    host = UserFactory(email=None, phone_number="+8613900000012", phone_verified=True)
    OrderLine.objects.filter(pk=stay.pk).update(provider_user=host)
    with time_machine.travel(stay.starts_at - FIVE_DAYS - DAY, tick=False):
        cancel(trip, "stay", django_capture_on_commit_callbacks)
    (to_host,) = [message for message in sms_outbox if message.phone == "+8613900000012"]
    assert to_host.template == "provider_line_cancelled"
    assert trip.order.reference in to_host.text and stay.title in to_host.text
    assert f"/p/{trip.order.reference}/" in to_host.text
