"""Calling off a tour slot with card payments in a real (local) Stripe: the refund goes through
Stripe's Refunds API, its webhook books nothing twice, and money that reaches Stripe after the
call-off goes back by itself."""

import pytest

from orders import basket as basket_service
from orders import organiser_cancel
from orders.models import Basket, OrderStatus, PaymentStatus, Refund, ReservationKind, ReservationStatus
from tests.attractions.tour_fixtures import tour_data
from tests.factories.accounts import SuperuserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)
from tests.orders.checkout_fixtures import check_out, stay_data

from .test_providers import confirm_as_browser
from .test_refund_part_stripe import stripe_refunds

pytestmark = [pytest.mark.django_db]

TWO_ADULTS = 16000


@pytest.fixture
def slot(home_page):
    """Tomorrow's 09:00 strawberry picking: ¥80 an adult, 10 seats."""
    index = AttractionIndexPageFactory(parent=home_page)
    picking = ExperiencePageFactory(parent=index, title="草莓采摘", schedules=[])
    return TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))


@pytest.fixture
def book_by_card(stripe_on, visitor, django_capture_on_commit_callbacks):
    """Check out the given lines paying by card: the PaymentIntent is created in localstripe."""

    def book(*lines):
        basket, _created = Basket.objects.get_or_create(user=visitor)
        for data in lines:
            basket_service.add_line(basket, dict(data))
        with django_capture_on_commit_callbacks(execute=True):
            return check_out(visitor, basket, payment_method="stripe").order

    return book


@pytest.fixture
def webhook(post_event, django_capture_on_commit_callbacks):
    def deliver(event_type, obj):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_event(event_type, obj)
        assert response.status_code == 200
        return response

    return deliver


def call_off(slot, capture):
    with capture(execute=True):
        return organiser_cancel.call_off(
            ReservationKind.TOUR, [slot.pk], reason="暴雨预警", by_user=SuperuserFactory()
        )


def test_a_card_paid_tour_goes_back_through_stripe_and_its_webhook_books_nothing_twice(
    stripe_on, slot, book_by_card, webhook, django_capture_on_commit_callbacks
):
    order = book_by_card(tour_data(slot))
    payment = order.payments.get()
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    webhook("payment_intent.succeeded", {"id": payment.provider_reference})

    result = call_off(slot, django_capture_on_commit_callbacks)

    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == TWO_ADULTS and in_stripe.metadata["payment_id"] == str(payment.pk)
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.provider_reference, refund.manual) == (TWO_ADULTS, in_stripe.id, False)
    assert result.refunded_fen == TWO_ADULTS
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED

    webhook("charge.refunded", {"id": in_stripe.charge, "object": "charge"})
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.refunded_fen, Refund.objects.count()) == (TWO_ADULTS, 1)
    assert order.status == OrderStatus.REFUNDED and not order.needs_attention


def test_money_paid_in_the_browser_before_the_call_off_but_reported_after_goes_back(
    stripe_on, slot, book_by_card, webhook, django_capture_on_commit_callbacks
):
    """Stripe took the money, its webhook is still on the way when staff call the slot off: the
    order is cancelled (Stripe will not cancel a paid intent), then the webhook refunds it all."""
    order = book_by_card(tour_data(slot))
    payment = order.payments.get()
    confirm_as_browser(stripe_on, payment.provider_reference)

    call_off(slot, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED

    webhook("payment_intent.succeeded", {"id": payment.provider_reference})

    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == TWO_ADULTS
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.REFUNDED, PaymentStatus.REFUNDED)


def test_a_stay_and_tour_paid_after_the_call_off_keeps_the_stay_and_gets_the_tour_back(
    stripe_on, slot, stay_room, arrival, book_by_card, webhook, django_capture_on_commit_callbacks
):
    order = book_by_card(stay_data(stay_room, arrival), tour_data(slot))
    payment = order.payments.get()
    call_off(slot, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert stripe_on.v1.payment_intents.retrieve(payment.provider_reference).status != "canceled"

    confirm_as_browser(stripe_on, payment.provider_reference)
    webhook("payment_intent.succeeded", {"id": payment.provider_reference})

    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == TWO_ADULTS
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and not order.needs_attention
    assert (payment.status, payment.refunded_fen) == (PaymentStatus.PARTIALLY_REFUNDED, TWO_ADULTS)
    assert order.lines.get(kind="stay").reservations.get().status == ReservationStatus.CONFIRMED
