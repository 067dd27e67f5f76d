"""A visitor cancels one line of an order paid by card in a real (local) Stripe: the refund goes
through Stripe's Refunds API, and Stripe's own "charge.refunded" books nothing twice and flags
nothing, whether it arrives after our booking of the refund or before it."""

import pytest

from orders.line_cancel import cancel_line
from orders.models import OrderStatus, PaymentStatus, Refund
from orders.payments.stripe_provider import StripeProvider
from tests.orders.line_cancel_fixtures import PRODUCE_FEN, STAY_FEN, TOUR_FEN, book

from .test_providers import confirm_as_browser
from .test_refund_part_stripe import stripe_refunds

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def webhook(post_event, django_capture_on_commit_callbacks):
    def deliver(event_type, obj):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(event_type, obj)
        assert response.status_code == 200
        return response

    return deliver


@pytest.fixture
def card_trip(stripe_on, visitor, trip_things, webhook, django_capture_on_commit_callbacks):
    """A stay, a tour and produce paid by card: the PaymentIntent in localstripe, confirmed as
    the browser does, and its signed webhook."""
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(visitor, trip_things, "stay", "tour", "product", method="stripe", paid=False)
    intent = trip.payment.provider_reference
    assert confirm_as_browser(stripe_on, intent).status == "succeeded"
    webhook("payment_intent.succeeded", {"id": intent})
    assert trip.fresh().status == OrderStatus.PAID
    return trip


def cancel(trip, kind, capture):
    with capture(execute=True):
        return cancel_line(trip.order, trip.line(kind).pk, by_user=trip.order.user)


def test_the_tour_goes_back_through_stripe_and_its_webhook_after_books_nothing_twice(
    stripe_on, card_trip, webhook, django_capture_on_commit_callbacks
):
    payment = card_trip.payment
    result = cancel(card_trip, "tour", django_capture_on_commit_callbacks)

    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == result.refund_fen == TOUR_FEN
    assert in_stripe.metadata["payment_id"] == str(payment.pk)
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.provider_reference, refund.manual) == (TOUR_FEN, in_stripe.id, False)
    assert refund.reason.startswith("You cancelled: 草莓采摘")

    webhook("charge.refunded", {"id": in_stripe.charge, "object": "charge"})
    payment.refresh_from_db()
    order = card_trip.fresh()
    assert (payment.status, payment.refunded_fen, Refund.objects.count()) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        TOUR_FEN,
        1,
    )
    assert order.status == OrderStatus.PAID and not order.needs_attention


def test_stripes_webhook_arriving_before_our_booking_leaves_the_order_alone(
    stripe_on, card_trip, post_event, monkeypatch, django_capture_on_commit_callbacks
):
    """Stripe tells us of the refund while our own call is still on its way back: the webhook
    books it as ours (the refund carries the payment's id), and our booking then finds it."""
    made = StripeProvider._refund
    delivered = []

    def refund_then_webhook(self, payment, amount_fen, *, reason=""):
        refund_id = made(self, payment, amount_fen, reason=reason)
        charge = stripe_on.v1.refunds.retrieve(refund_id).charge
        delivered.append(post_event("charge.refunded", {"id": charge, "object": "charge"}).status_code)
        assert Refund.objects.filter(provider_reference=refund_id).exists()  # booked by the webhook
        return refund_id

    monkeypatch.setattr(StripeProvider, "_refund", refund_then_webhook)
    result = cancel(card_trip, "product", django_capture_on_commit_callbacks)

    assert delivered == [200]
    (in_stripe,) = stripe_refunds(stripe_on, card_trip.payment.provider_reference)
    refund = Refund.objects.get()
    assert (
        (refund.amount_fen, refund.provider_reference)
        == (PRODUCE_FEN, in_stripe.id)
        == (result.refund_fen, in_stripe.id)
    )
    payment = card_trip.payment
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, PRODUCE_FEN)
    order = card_trip.fresh()
    assert order.status == OrderStatus.PAID and not order.needs_attention
    assert card_trip.line("stay").reservations.get().status == "confirmed"


def test_the_last_line_by_card_ends_the_order_refunded(
    stripe_on, card_trip, webhook, django_capture_on_commit_callbacks
):
    for kind in ("tour", "product", "stay"):
        cancel(card_trip, kind, django_capture_on_commit_callbacks)
    refunds = stripe_refunds(stripe_on, card_trip.payment.provider_reference)
    assert sorted(r.amount for r in refunds) == sorted([TOUR_FEN, PRODUCE_FEN, STAY_FEN])
    for refund in refunds:
        webhook("charge.refunded", {"id": refund.charge, "object": "charge"})
    order = card_trip.fresh()
    payment = card_trip.payment
    assert (order.status, payment.status, Refund.objects.count()) == (
        OrderStatus.REFUNDED,
        PaymentStatus.REFUNDED,
        3,
    )
    assert not order.needs_attention
