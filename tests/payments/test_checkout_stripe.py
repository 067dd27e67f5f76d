"""The whole Stripe path: checkout → PaymentIntent in localstripe → browser pays → signed webhook."""

import pytest

from orders.models import OrderStatus, ReservationStatus, StripeEvent
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from .test_providers import confirm_as_browser

pytestmark = pytest.mark.django_db


def test_checkout_pay_by_card_and_webhook_confirm_the_order_once(
    stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        result = check_out(visitor, payment_method="stripe")
    order = result.order
    payment = order.payments.get()
    assert order.status == OrderStatus.PENDING
    assert payment.provider == "stripe" and payment.provider_reference.startswith("pi_")
    assert mailoutbox == []

    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    assert (intent.amount, intent.currency) == (order.total_fen, "cny")
    assert intent.metadata["order_ref"] == order.reference
    assert result.client_secret == intent.client_secret

    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(
                "payment_intent.succeeded",
                {"id": payment.provider_reference, "object": "payment_intent"},
                event_id="evt_checkout_paid",
            )
        assert response.status_code == 200

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.status == "succeeded"
    assert {r.status for r in order.lines.get().reservations.all()} == {ReservationStatus.CONFIRMED}
    to_visitor = [m for m in mailoutbox if visitor.email in m.to]
    assert len(to_visitor) == 1
    assert order.reference in to_visitor[0].subject
    assert StripeEvent.objects.count() == 1


def test_stripe_is_not_offered_without_a_key(settings, visitor, stay_room, arrival):
    from orders.checkout import CheckoutInvalid

    settings.STRIPE_SECRET_KEY = ""
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid):
        check_out(visitor, payment_method="stripe")


def test_payment_after_the_hold_expired_and_the_room_sold_is_refunded_in_stripe(
    stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Reservation
    from tests.factories.accounts import VerifiedUserFactory

    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    # The visitor dawdles: the hold expires and someone else takes the last room, paying on site.
    Reservation.objects.filter(order_line__order=order).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    other = VerifiedUserFactory()
    basket_with_stay(other, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_out(other).order.status == OrderStatus.CONFIRMED

    confirm_as_browser(stripe_on, payment.provider_reference)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(
            "payment_intent.succeeded", {"id": payment.provider_reference, "object": "payment_intent"}
        )
    assert response.status_code == 200

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    assert payment.status == "refunded" and payment.refunded_fen == order.total_fen
    (refund,) = payment.refunds.all()
    in_stripe = stripe_on.v1.refunds.retrieve(refund.provider_reference)
    assert (in_stripe.amount, in_stripe.payment_intent) == (order.total_fen, payment.provider_reference)
    assert any(visitor.email in m.to for m in mailoutbox)


def test_cancelling_a_card_paid_stay_refunds_it_through_stripe(
    stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks
):
    from orders import order_state

    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    confirm_as_browser(stripe_on, payment.provider_reference)
    with django_capture_on_commit_callbacks(execute=True):
        post_event("payment_intent.succeeded", {"id": payment.provider_reference, "object": "payment_intent"})

    # Three weeks ahead under the moderate policy: a full refund.
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=visitor)
    assert result.refund_fen == order.total_fen

    payment.refresh_from_db()
    assert payment.status == "refunded"
    refunds = stripe_on.v1.refunds.list({"payment_intent": payment.provider_reference}).data
    assert [r.amount for r in refunds] == [order.total_fen]
    assert payment.refunds.get().provider_reference == refunds[0].id
