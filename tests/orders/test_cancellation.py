"""Cancelling: the policy decides the refund, the capacity comes back, staff may do more."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from homestays.models import HomestayPage
from orders import order_state
from orders.models import OrderStatus, PaymentStatus, Refund, Reservation, ReservationStatus
from orders.order_state import OrderStateError
from orders.reservations import Claim, reserve
from tests.factories.accounts import VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def paid_order(user, room, arrival, capture, *, method="fake_online"):
    basket_with_stay(user, room, arrival)
    with capture(execute=True):
        order = check_out(user, payment_method=method).order
        payment = order.payments.get()
        order_state.payment_succeeded(payment, amount_fen=payment.amount_fen, currency="CNY")
    order.refresh_from_db()
    return order, order.payments.get()


def check_in_of(arrival):
    return datetime.combine(arrival, HomestayPage.objects.first().check_in_time, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("policy", "before", "refund_fen", "final"),
    [
        ("moderate", timedelta(days=6), 60000, OrderStatus.REFUNDED),
        ("moderate", timedelta(days=2), 30000, OrderStatus.CANCELLED),
        ("strict", timedelta(days=2), 0, OrderStatus.CANCELLED),
        ("flexible", timedelta(hours=24), 60000, OrderStatus.REFUNDED),
    ],
)
def test_visitor_cancel_refunds_by_policy_and_frees_room(
    visitor,
    stay_room,
    arrival,
    fake_online,
    django_capture_on_commit_callbacks,
    policy,
    before,
    refund_fen,
    final,
):
    HomestayPage.objects.filter(pk=stay_room.page_id).update(cancellation_policy=policy)
    order, payment = paid_order(visitor, stay_room, arrival, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    now = check_in_of(arrival) - before
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=visitor, now=now)
    assert result.refund_fen == refund_fen
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == final
    assert payment.refunded_fen == refund_fen
    assert fake_online.refunds == ([(payment.pk, refund_fen)] if refund_fen else [])
    assert Reservation.objects.get().status == ReservationStatus.CANCELLED
    assert any("cancelled" in m.subject for m in mail.outbox)
    # The room can be booked again.
    reserve(
        [Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))], holder=VerifiedUserFactory()
    )


@pytest.mark.parametrize(
    ("policy", "before"), [("moderate", timedelta(days=2)), ("strict", timedelta(days=8))]
)
def test_cancellation_quote_shown_to_the_visitor_is_what_cancelling_refunds(
    visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks, policy, before
):
    HomestayPage.objects.filter(pk=stay_room.page_id).update(cancellation_policy=policy)
    order, _payment = paid_order(visitor, stay_room, arrival, django_capture_on_commit_callbacks)
    now = check_in_of(arrival) - before
    quote = order_state.cancellation_quote(order, now)
    assert quote.cancellable
    assert quote.paid_left_fen == 60000
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=visitor, now=now)
    assert quote.refund_fen == result.refund_fen == 30000


def test_cancellation_quote_never_exceeds_what_was_paid(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order  # on site, not paid yet
    quote = order_state.cancellation_quote(order)
    assert quote.paid_left_fen == 0
    assert quote.refund_fen == 0


def test_on_site_unpaid_cancel_refunds_nothing(
    visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=visitor)
    assert result.refund_fen == 0
    assert order.payments.get().status == PaymentStatus.CANCELED
    assert not Refund.objects.exists()


def test_on_site_paid_cancel_records_manual_refund(
    visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    order, payment = paid_order(
        visitor, stay_room, arrival, django_capture_on_commit_callbacks, method="on_site"
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(order, by_user=visitor, now=check_in_of(arrival) - timedelta(days=10))
    refund = Refund.objects.get()
    assert refund.manual and refund.amount_fen == 60000
    assert refund.provider_reference.startswith("manual-")


def test_cannot_cancel_twice_or_others_orders(
    visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    with pytest.raises(OrderStateError) as info:
        order_state.cancel_order(order, by_user=VerifiedUserFactory())
    assert info.value.code == "not_found"
    order_state.cancel_order(order, by_user=visitor)
    with pytest.raises(OrderStateError):
        order_state.cancel_order(order, by_user=visitor)


def test_visitor_cannot_cancel_after_check_in(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    with pytest.raises(OrderStateError):
        order_state.cancel_order(order, by_user=visitor, now=check_in_of(arrival) + timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_staff_cancel_full_refund_needs_reason(
    visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks
):
    HomestayPage.objects.filter(pk=stay_room.page_id).update(cancellation_policy="strict")
    order, payment = paid_order(visitor, stay_room, arrival, django_capture_on_commit_callbacks)
    staff = VerifiedUserFactory(is_staff=True)
    with pytest.raises(OrderStateError):
        order_state.cancel_order(order, by_user=staff, staff=True, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=staff, staff=True, reason="Flood on the road")
    assert result.refund_fen == 60000
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.cancel_reason == "Flood on the road"
    assert Refund.objects.get().created_by == staff


@pytest.mark.parametrize("amount", [-1, 60001, "100", True])
def test_staff_refund_amount_checked(
    visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks, amount
):
    order, _payment = paid_order(visitor, stay_room, arrival, django_capture_on_commit_callbacks)
    with pytest.raises(OrderStateError):
        order_state.cancel_order(
            order, by_user=VerifiedUserFactory(is_staff=True), staff=True, reason="x", refund_fen=amount
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_refund_failure_flags_order(
    visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks
):
    from orders.payments.exceptions import RefundNotAllowed

    order, payment = paid_order(visitor, stay_room, arrival, django_capture_on_commit_callbacks)

    def refuse(*args, **kwargs):
        raise RefundNotAllowed()

    fake_online._refund = refuse
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(order, by_user=visitor, now=check_in_of(arrival) - timedelta(days=10))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.needs_attention
    assert "by hand" in order.staff_note


def test_cancelling_a_pay_on_site_order_says_nothing_was_paid_not_refund_zero(
    client, visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="on_site").order
    client.force_login(visitor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/trips/{order.reference}/cancel/", {"confirm": "on"}, follow=True)
    page = response.content.decode()
    assert "Nothing was paid, so there is nothing to refund." in page
    assert "¥0.00" not in page
    (cancelled,) = [m for m in mail.outbox if "cancelled" in m.subject]
    assert "Nothing was paid, so there is nothing to refund." in cancelled.body
    assert "Refund:" not in cancelled.body and "¥0.00" not in cancelled.body
    # The same in Chinese: "未付款，无需退款", never "退款：¥0.00".
    chinese = client.get(f"/trips/{order.reference}/").content.decode()
    assert "未付款，无需退款" in chinese and "¥0.00" not in chinese
