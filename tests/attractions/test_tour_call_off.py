"""Staff call off a tour slot (``orders.organiser_cancel``): every order on it is cancelled, what was
paid for it refunded in full, its vouchers voided, its visitors told in their language; orders
with other lines keep them, and running it twice changes nothing."""

import pytest
from django.core import mail

from attractions.models import TourSlot, TourSlotStatus
from events.gate import gate_counts, get_gate
from orders import basket as basket_service
from orders import order_state, organiser_cancel, reservations
from orders.exceptions import CalledOff
from orders.lines import LineInvalid
from orders.models import (
    Basket,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    Refund,
    Reservation,
    ReservationKind,
    ReservationStatus,
)
from orders.selectors import claimed_units
from orders.vouchers import CheckInResult, check_in
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory
from tests.factories.attractions import TourSlotFactory, tomorrow_at
from tests.orders.checkout_fixtures import check_out, stay_data

from .tour_fixtures import tour_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

TOUR = ReservationKind.TOUR
TWO_ADULTS = 16000  # 2 × ¥80


@pytest.fixture
def staff(db):
    return SuperuserFactory()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run what waits for the commit (e-mails, refunds) as the test's transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def book(user, *lines, method="on_site", language="en"):
    """Check out ``lines`` (basket line data) for ``user``; returns the order."""
    basket, _created = Basket.objects.get_or_create(user=user)
    for data in lines:
        basket_service.add_line(basket, dict(data))
    return check_out(user, basket, payment_method=method, language=language).order


def pay(order):
    payment = order.payments.get()
    assert order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY") == "paid"
    order.refresh_from_db()
    return payment


def call_off(slot, staff, capture, reason="暴雨预警，果园关闭"):
    with capture():
        return organiser_cancel.call_off(TOUR, [slot.pk], reason=reason, by_user=staff)


def test_a_paid_on_site_order_is_cancelled_refunded_as_paid_back_by_staff_and_the_visitor_told(
    visitor, slot, staff, capture
):
    with capture():
        order = book(visitor, tour_data(slot))
        order_state.mark_paid_on_site(order, by_user=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    voucher = order.lines.get().voucher
    mail.outbox.clear()

    result = call_off(slot, staff, capture)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert (order.cancelled_by, order.cancel_reason) == (staff, "暴雨预警，果园关闭")
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.manual, refund.created_by) == (TWO_ADULTS, True, staff)
    assert refund.payment.status == PaymentStatus.REFUNDED
    assert (result.refunded_fen, result.failed_fen, result.summary.orders) == (TWO_ADULTS, 0, 1)
    assert TourSlot.objects.get(pk=slot.pk).status == TourSlotStatus.CANCELLED
    claims = Reservation.objects.filter(kind=TOUR, object_id=slot.pk)
    assert set(claims.values_list("status", flat=True)) == {ReservationStatus.CANCELLED}
    voucher.refresh_from_db()
    assert voucher.voided_at is not None
    assert check_in(voucher.code, by_user=staff)[0] == CheckInResult.NOT_VALID
    assert [m.subject.split("] ")[-1] for m in mail.outbox] == [
        f"Cancelled by the organiser: {order.reference}",
        f"Refund for {order.reference}",
    ]
    told = mail.outbox[0]
    assert told.to == [visitor.email]
    assert "暴雨预警，果园关闭" in told.body
    assert "You get back ¥160.00" in told.body
    assert "Your booking is now cancelled." in told.body


def test_an_unpaid_on_site_order_is_just_cancelled(visitor, slot, staff, capture):
    order = book(visitor, tour_data(slot))
    assert order.status == OrderStatus.CONFIRMED
    mail.outbox.clear()

    result = call_off(slot, staff, capture)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.payments.get().status == PaymentStatus.CANCELED
    assert not Refund.objects.exists()
    assert (result.summary.unpaid_orders, result.summary.refund_fen) == (1, 0)
    (told,) = mail.outbox
    assert "Nothing was paid for it" in told.body


def test_a_card_payment_goes_back_through_its_provider(visitor, slot, staff, capture, fake_online):
    with capture():
        order = book(visitor, tour_data(slot), method="fake_online")
        payment = pay(order)

    call_off(slot, staff, capture)

    assert fake_online.refunds == [(payment.pk, TWO_ADULTS)]
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Refund.objects.get().manual is False


def test_an_order_with_another_line_keeps_it_and_gets_back_only_the_tour(
    visitor, slot, stay_room, arrival, staff, capture, fake_online
):
    with capture():
        order = book(visitor, stay_data(stay_room, arrival), tour_data(slot), method="fake_online")
        payment = pay(order)
    stay_line, tour_line = order.lines.order_by("pk")
    assert tour_line.kind == TOUR and payment.amount_fen == stay_line.total_fen + TWO_ADULTS
    mail.outbox.clear()
    gate = get_gate(f"slot-{slot.pk}")
    assert gate_counts(gate) == (0, 2)

    result = call_off(slot, staff, capture)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and not order.needs_attention
    assert gate_counts(gate) == (0, 0)  # the order stands for its stay; the gate expects no one
    assert (result.summary.orders, result.summary.orders_cancelled) == (1, 0)
    assert fake_online.refunds == [(payment.pk, TWO_ADULTS)]
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, TWO_ADULTS)
    stay_line.refresh_from_db()
    tour_line.refresh_from_db()
    assert stay_line.cancelled_at is None and tour_line.cancelled_at is not None
    assert stay_line.reservations.get().status == ReservationStatus.CONFIRMED
    assert tour_line.reservations.get().status == ReservationStatus.CANCELLED
    assert tour_line.voucher.voided_at is not None and stay_line.voucher.voided_at is None
    told = next(m for m in mail.outbox if "Cancelled by the organiser" in m.subject)
    assert "The rest of your booking is unchanged." in told.body
    assert stay_line.title not in told.body and tour_line.title in told.body
    # Cancelling the rest later refunds the stay only: the tour went back already.
    assert order_state.cancellation_quote(order).refund_fen == stay_line.total_fen


def test_an_unpaid_on_site_order_that_stands_collects_less(visitor, slot, stay_room, arrival, staff, capture):
    order = book(visitor, stay_data(stay_room, arrival), tour_data(slot))
    stay_line = order.lines.get(kind="stay")

    call_off(slot, staff, capture)

    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status == OrderStatus.CONFIRMED
    assert (payment.status, payment.amount_fen) == (PaymentStatus.PENDING, stay_line.total_fen)
    with capture():
        assert order_state.mark_paid_on_site(order, by_user=staff) == "paid"
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.SUCCEEDED, 0)
    assert not Refund.objects.exists()


def test_a_pending_card_order_paid_after_the_call_off_gets_the_tour_back_and_keeps_the_stay(
    visitor, slot, stay_room, arrival, staff, capture, fake_online
):
    """The visitor was on the payment page when staff called the slot off; the money then arrives."""
    with capture():
        order = book(visitor, stay_data(stay_room, arrival), tour_data(slot), method="fake_online")
    call_off(slot, staff, capture)
    order.refresh_from_db()
    payment = order.payments.get()
    assert (order.status, payment.status) == (OrderStatus.PENDING, PaymentStatus.PENDING)

    with capture():
        pay(order)

    assert order.status == OrderStatus.PAID
    assert fake_online.refunds == [(payment.pk, TWO_ADULTS)]
    assert order.lines.get(kind="stay").reservations.get().status == ReservationStatus.CONFIRMED
    assert claimed_units(TOUR, [slot.pk])[slot.pk] == 0


def test_a_pending_card_order_wholly_on_the_slot_is_refunded_if_paid_after_all(
    visitor, slot, staff, capture, fake_online
):
    with capture():
        order = book(visitor, tour_data(slot), method="fake_online")
    call_off(slot, staff, capture)
    order.refresh_from_db()
    payment = order.payments.get()
    assert (order.status, payment.status) == (OrderStatus.CANCELLED, PaymentStatus.CANCELED)

    with capture():
        outcome = order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    assert outcome == "refunding"

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert fake_online.refunds == [(payment.pk, TWO_ADULTS)]


def test_calling_off_twice_releases_refunds_and_mails_nothing_more(visitor, slot, staff, capture):
    with capture():
        order = book(visitor, tour_data(slot))
        order_state.mark_paid_on_site(order, by_user=staff)
    call_off(slot, staff, capture)
    mails = len(mail.outbox)

    again = call_off(slot, staff, capture, reason="再说一次")

    assert (again.summary.orders, again.refunded_fen) == (0, 0)
    assert Refund.objects.count() == 1 and len(mail.outbox) == mails
    assert OrderLine.objects.get(order=order).cancel_reason == "暴雨预警，果园关闭"


def test_no_one_can_book_a_called_off_slot(visitor, slot, staff, capture):
    call_off(slot, staff, capture)
    with pytest.raises(CalledOff):
        reservations.reserve([reservations.Claim(TOUR, slot.pk, 1)])
    basket = Basket.objects.create(user=visitor)
    with pytest.raises(LineInvalid) as refused:
        basket_service.add_line(basket, tour_data(slot))
    assert refused.value.errors["slot_id"] == "This tour has been cancelled."


def test_other_slots_and_their_orders_are_left_alone(visitor, slot, picking, staff, capture):
    other_slot = TourSlotFactory(experience=picking, starts_at=tomorrow_at(14))
    other = book(VerifiedUserFactory(), tour_data(other_slot))
    book(visitor, tour_data(slot))

    call_off(slot, staff, capture)

    other.refresh_from_db()
    assert other.status == OrderStatus.CONFIRMED
    assert TourSlot.objects.get(pk=other_slot.pk).status == TourSlotStatus.OPEN


def test_each_visitor_is_told_in_the_language_they_booked_in(slot, staff, capture):
    with capture():
        chinese = book(VerifiedUserFactory(), tour_data(slot, adults=1), language="zh-hans")
        order_state.mark_paid_on_site(chinese, by_user=staff)
    english = book(VerifiedUserFactory(), tour_data(slot, adults=1), language="en")
    mail.outbox.clear()

    call_off(slot, staff, capture)

    zh_told, zh_refund = (m for m in mail.outbox if m.to == [chinese.user.email])
    (en_told,) = (m for m in mail.outbox if m.to == [english.user.email])
    assert zh_told.subject.endswith(f"主办方已取消：{chinese.reference}")
    assert "很抱歉：主办方已取消您的预订" in zh_told.body and "将全额退还" in zh_told.body
    assert "主办方取消：暴雨预警，果园关闭" in zh_refund.body  # the refund's reason, in Chinese too
    assert en_told.subject.endswith(f"Cancelled by the organiser: {english.reference}")
    assert "We are sorry: the organiser has cancelled" in en_told.body
    assert "Nothing was paid for it" in en_told.body


def test_the_preview_counts_orders_visitors_places_and_money_per_provider(
    slot, stay_room, arrival, staff, capture, fake_online
):
    with capture():
        on_site_paid = book(VerifiedUserFactory(), tour_data(slot, adults=2))
        order_state.mark_paid_on_site(on_site_paid, by_user=staff)
        pay(book(VerifiedUserFactory(), tour_data(slot, adults=1, children=1), method="fake_online"))
        book(VerifiedUserFactory(), tour_data(slot, adults=1))  # on site, not paid
        stay_and_tour = (stay_data(stay_room, arrival), tour_data(slot, adults=1))
        pay(book(VerifiedUserFactory(), *stay_and_tour, method="fake_online"))

    summary = organiser_cancel.preview(TOUR, [slot.pk])

    assert (summary.orders, summary.orders_cancelled, summary.lines) == (4, 3, 4)
    assert (summary.guests, summary.places, summary.unpaid_orders) == (6, 6, 1)
    assert dict(summary.refund_by_provider) == {"on_site": 16000, "fake_online": 12000 + 8000}
    assert summary.refund_fen == 36000
    # The call-off then does exactly that.
    result = call_off(slot, staff, capture)
    assert (result.summary.orders, result.summary.refund_by_provider) == (4, summary.refund_by_provider)
    assert result.refunded_fen == 36000


def test_a_reason_is_required_and_nothing_changes_without_it(visitor, slot, staff, capture):
    order = book(visitor, tour_data(slot))
    with pytest.raises(order_state.OrderStateError):
        organiser_cancel.call_off(TOUR, [slot.pk], reason="  ", by_user=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert TourSlot.objects.get(pk=slot.pk).status == TourSlotStatus.OPEN


def test_the_api_shows_the_called_off_line_without_its_voucher(
    client, visitor, slot, stay_room, arrival, staff, capture
):
    order = book(visitor, stay_data(stay_room, arrival), tour_data(slot))
    call_off(slot, staff, capture)
    client.force_login(visitor)

    body = client.get(f"/api/v1/orders/{order.reference}").json()

    stay, tour = sorted(body["lines"], key=lambda line: line["kind"])
    assert (stay["cancelled_at"], tour["cancelled_at"] is not None) == (None, True)
    assert stay["voucher_code"] and tour["voucher_code"] is None


def test_the_preview_costs_three_queries_whatever_the_number_of_orders(
    slot, stay_room, arrival, django_assert_num_queries
):
    for adults in (1, 2, 1, 3):
        book(VerifiedUserFactory(), tour_data(slot, adults=adults))
    book(VerifiedUserFactory(), stay_data(stay_room, arrival), tour_data(slot))
    with django_assert_num_queries(3):
        summary = organiser_cancel.preview(TOUR, [slot.pk])
    assert summary.orders == 5
