"""A visitor moves a stay paid by card in a real (local) Stripe: a longer stay is a new
PaymentIntent for the difference, paid as the browser pays and booked by its webhook; a shorter
one is refunded through Stripe's Refunds API, its "charge.refunded" booking nothing twice."""

import datetime

import pytest

from orders.models import OrderStatus, PaymentStatus, Refund
from orders.stay_change import change_stay
from tests.orders.line_cancel_fixtures import STAY_FEN, book

from .test_line_cancel_stripe import webhook  # noqa: F401 - a fixture
from .test_providers import confirm_as_browser
from .test_refund_part_stripe import stripe_refunds

pytestmark = [pytest.mark.django_db]

NIGHT_FEN = STAY_FEN // 2


@pytest.fixture
def card_stay(stripe_on, visitor, trip_things, webhook, django_capture_on_commit_callbacks):  # noqa: F811
    """The one-room stay, two nights three weeks ahead, paid by card through localstripe."""
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(visitor, trip_things, "stay", method="stripe", paid=False)
    intent = trip.payment.provider_reference
    assert confirm_as_browser(stripe_on, intent).status == "succeeded"
    webhook("payment_intent.succeeded", {"id": intent})
    assert trip.fresh().status == OrderStatus.PAID
    return trip


def move(trip, capture, *, nights):
    line = trip.line("stay")
    with capture(execute=True):
        return change_stay(
            trip.order,
            line.pk,
            by_user=trip.order.user,
            check_in=line.start_date,
            check_out=line.start_date + datetime.timedelta(days=nights),
        )


def test_a_longer_stay_is_paid_by_a_new_payment_intent_for_the_difference(
    stripe_on,
    card_stay,
    webhook,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    result = move(card_stay, django_capture_on_commit_callbacks, nights=3)
    payment = result.payment
    assert (payment.provider, payment.amount_fen, payment.status) == (
        "stripe",
        NIGHT_FEN,
        PaymentStatus.PENDING,
    )
    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    assert intent.amount == NIGHT_FEN and intent.metadata["payment_id"] == str(payment.pk)
    assert result.client_secret == intent.client_secret
    assert intent.id != card_stay.order.payments.exclude(pk=payment.pk).get().provider_reference
    assert result.order.status == OrderStatus.CONFIRMED

    assert confirm_as_browser(stripe_on, intent.id).status == "succeeded"
    webhook("payment_intent.succeeded", {"id": intent.id})
    payment.refresh_from_db()
    order = card_stay.fresh()
    assert payment.status == PaymentStatus.SUCCEEDED and order.status == OrderStatus.PAID
    assert not order.needs_attention and not Refund.objects.exists()


def test_a_shorter_stay_is_refunded_through_stripe_once(
    stripe_on,
    card_stay,
    webhook,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    result = move(card_stay, django_capture_on_commit_callbacks, nights=1)
    assert result.quote.refund_fen == NIGHT_FEN  # three weeks ahead: the moderate policy gives all back
    payment = card_stay.payment
    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == NIGHT_FEN
    webhook("charge.refunded", {"id": in_stripe.charge, "object": "charge"})
    payment.refresh_from_db()
    order = card_stay.fresh()
    assert (payment.status, payment.refunded_fen, Refund.objects.count()) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        NIGHT_FEN,
        1,
    )
    assert order.status == OrderStatus.PAID and not order.needs_attention
    assert Refund.objects.get().reason.startswith("You changed:")
