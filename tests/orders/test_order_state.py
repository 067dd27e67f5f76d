"""Order states: the only transitions, idempotent, and safe against late or wrong reports."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from orders import order_state
from orders.models import Order, OrderStatus, PaymentStatus, Refund, Reservation, ReservationStatus
from orders.reservations import Claim, reserve
from tests.factories.accounts import VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


@pytest.fixture
def pending(visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="fake_online").order
    return order, order.payments.get()


def succeed(payment, capture, **kwargs):
    kwargs.setdefault("amount_fen", payment.amount_fen)
    kwargs.setdefault("currency", "CNY")
    with capture(execute=True):
        return order_state.payment_succeeded(payment, **kwargs)


def test_success_pays_and_confirms_once(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    assert succeed(payment, django_capture_on_commit_callbacks, provider_reference="pi_1") == "paid"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_reference == "pi_1"
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED
    assert len(mail.outbox) == 1
    # The same report again (a retried webhook): nothing changes, no second e-mail.
    assert succeed(payment, django_capture_on_commit_callbacks) == "duplicate"
    assert len(mail.outbox) == 1


def test_late_failure_or_cancel_never_undoes_paid(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    succeed(payment, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.payment_failed(payment, reason="card declined") is False
        assert order_state.payment_canceled(payment) is False
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED


def test_failure_then_success(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.payment_failed(payment, reason="declined") is True
        assert order_state.payment_failed(payment, reason="declined") is False
    assert len(mail.outbox) == 1 and "did not go through" in mail.outbox[0].body
    assert succeed(payment, django_capture_on_commit_callbacks) == "paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.parametrize(("amount_delta", "currency"), [(-1, "CNY"), (1, "CNY"), (0, "USD")])
def test_mismatch_leaves_unpaid_and_flags(
    pending, django_capture_on_commit_callbacks, amount_delta, currency
):
    order, payment = pending
    result = succeed(
        payment,
        django_capture_on_commit_callbacks,
        amount_fen=payment.amount_fen + amount_delta,
        currency=currency,
    )
    assert result == "mismatch"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.needs_attention
    assert "expected" in order.staff_note
    assert payment.status == PaymentStatus.PENDING
    assert mail.outbox == []


def test_canceled_payment_releases_pending_order(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    assert order_state.payment_canceled(payment) is True
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Reservation.objects.get().status == ReservationStatus.CANCELLED


def test_payment_after_expiry_with_capacity_confirms(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    late = timezone.now() + timedelta(hours=2)
    assert succeed(payment, django_capture_on_commit_callbacks, now=late) == "paid"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED


def test_payment_after_expiry_without_capacity_refunds_and_tells(
    pending, stay_room, arrival, fake_online, django_capture_on_commit_callbacks
):
    order, payment = pending
    late = timezone.now() + timedelta(hours=2)
    # Someone else takes the last room once the hold has lapsed.
    reserve(
        [Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))],
        holder=VerifiedUserFactory(),
        now=late,
    )
    assert succeed(payment, django_capture_on_commit_callbacks, now=late) == "refunding"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert fake_online.refunds == [(payment.pk, payment.amount_fen)]
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == payment.amount_fen
    assert order.status == OrderStatus.REFUNDED and order.needs_attention
    assert Reservation.objects.filter(order_line__order=order).get().status == ReservationStatus.CANCELLED
    bodies = [m.body for m in mail.outbox]
    assert any("could not be confirmed" in b for b in bodies)
    assert any("refunded" in b for b in bodies)
    # The provider's "refunded" webhook for the same refund changes nothing.
    ref = Refund.objects.get().provider_reference
    assert order_state.refund_recorded(payment, amount_fen=payment.amount_fen, provider_reference=ref) is None
    assert Refund.objects.count() == 1


def test_payment_for_cancelled_order_is_refunded(pending, fake_online, django_capture_on_commit_callbacks):
    order, payment = pending
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(order, by_user=order.user)
    assert succeed(payment, django_capture_on_commit_callbacks) == "refunding"
    assert fake_online.refunds == [(payment.pk, payment.amount_fen)]
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_mark_paid_on_site(visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor).order
    assert len(mail.outbox) == 1
    staff = VerifiedUserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.mark_paid_on_site(order, by_user=staff) == "paid"
        assert order_state.mark_paid_on_site(order, by_user=staff) == "duplicate"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.payments.get().status == PaymentStatus.SUCCEEDED
    assert len(mail.outbox) == 1  # confirmed at checkout already; not sent again


def test_complete(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    assert order_state.complete_order(order) is True
    assert order_state.complete_order(order) is False
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_refund_from_dashboard_on_open_order_flags(pending, django_capture_on_commit_callbacks):
    order, payment = pending
    succeed(payment, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        order_state.refund_recorded(payment, amount_fen=1000, provider_reference="re_1")
        order_state.refund_recorded(payment, amount_fen=1000, provider_reference="re_1")
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.refunded_fen == 1000 and payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert order.status == OrderStatus.PAID and order.needs_attention
