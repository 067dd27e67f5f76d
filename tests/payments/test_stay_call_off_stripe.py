"""Closing a homestay's nights with card payments in a real (local) Stripe: a refund Stripe makes
is recorded as refunded; one past the method's refund window, or one Stripe refuses, is kept as
failed with its reason for staff to pay back by hand, then recorded when they have."""

from datetime import timedelta

import pytest

from orders import basket as basket_service
from orders import organiser_cancel
from orders.models import Basket, CallOffRefund, CallOffRefundStatus, OrderStatus, PaymentStatus, Refund
from orders.payments import stripe_provider
from tests.factories.accounts import SuperuserFactory
from tests.orders.checkout_fixtures import check_out, stay_data

from .test_providers import confirm_as_browser
from .test_refund_part_stripe import stripe_refunds

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

TWO_NIGHTS = 60000


@pytest.fixture
def card_stay(stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks):
    """Two nights of ``stay_room`` from ``arrival``, paid by card in localstripe."""
    basket, _created = Basket.objects.get_or_create(user=visitor)
    basket_service.add_line(basket, stay_data(stay_room, arrival))
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, basket, payment_method="stripe").order
    payment = order.payments.get()
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event("payment_intent.succeeded", {"id": payment.provider_reference}).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    return order


def close_arrival_night(stay_room, arrival, staff, capture):
    with capture(execute=True):
        return organiser_cancel.call_off(
            "stay",
            [stay_room.pk],
            nights=(arrival, arrival + timedelta(days=1)),
            reason="山洪",
            by_user=staff,
        )


def test_stripe_refunds_it_and_the_report_says_so(
    stripe_on, card_stay, stay_room, arrival, django_capture_on_commit_callbacks
):
    result = close_arrival_night(stay_room, arrival, SuperuserFactory(), django_capture_on_commit_callbacks)

    payment = card_stay.payments.get()
    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    row = CallOffRefund.objects.get()
    assert (row.status, row.amount_fen, row.refund.provider_reference) == (
        CallOffRefundStatus.REFUNDED,
        TWO_NIGHTS,
        in_stripe.id,
    )
    assert (result.refunded_fen, result.failed_fen) == (TWO_NIGHTS, 0)


def test_past_the_refund_window_it_is_kept_as_failed_and_paid_back_by_hand(
    stripe_on, card_stay, stay_room, arrival, monkeypatch, django_capture_on_commit_callbacks
):
    """As an Alipay payment through Stripe after 90 days: here the card's window is made to have
    closed already (localstripe charges cards only)."""
    monkeypatch.setitem(stripe_provider.REFUND_WINDOWS, "card", timedelta(0))
    staff = SuperuserFactory()

    result = close_arrival_night(stay_room, arrival, staff, django_capture_on_commit_callbacks)

    payment = card_stay.payments.get()
    assert stripe_refunds(stripe_on, payment.provider_reference) == []
    row = CallOffRefund.objects.get()
    # Kept in the town's language for the report.
    assert (row.status, row.failure) == (CallOffRefundStatus.FAILED, "该笔付款已无法在线退款。")
    assert (result.refunded_fen, result.failed_fen) == (0, TWO_NIGHTS)
    card_stay.refresh_from_db()
    assert card_stay.status == OrderStatus.CANCELLED and card_stay.needs_attention

    organiser_cancel.hand_back(row.pk, by_user=staff)

    row.refresh_from_db()
    assert (row.status, row.handed_back_by, row.refund.manual) == (
        CallOffRefundStatus.HANDED_BACK,
        staff,
        True,
    )
    assert stripe_refunds(stripe_on, payment.provider_reference) == []  # nothing went through Stripe
    card_stay.refresh_from_db()
    assert card_stay.status == OrderStatus.REFUNDED


def test_a_refund_stripe_cannot_take_is_kept_as_failed_with_its_reason(
    stripe_on, card_stay, stay_room, arrival, settings, django_capture_on_commit_callbacks
):
    """Stripe cannot be reached while staff call the night off: the stay is cancelled all the
    same, and its refund waits in the report for staff to pay back by hand."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    result = close_arrival_night(stay_room, arrival, SuperuserFactory(), django_capture_on_commit_callbacks)

    row = CallOffRefund.objects.get()
    assert (row.status, row.failure) == (CallOffRefundStatus.FAILED, "支付服务暂时不可用，请稍后再试。")
    assert result.failed_fen == TWO_NIGHTS
    assert not Refund.objects.exists()
    card_stay.refresh_from_db()
    assert card_stay.status == OrderStatus.CANCELLED and card_stay.needs_attention
