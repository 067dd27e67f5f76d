"""Unpaid card orders are cancelled after their holds and the grace period, their intents too."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from orders import order_state
from orders.models import Order, OrderStatus, PaymentStatus, ReservationStatus
from orders.reservations import Claim, reserve
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from .test_providers import confirm_as_browser

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def age(order, hours):
    """Pretend the order's holds expired ``hours`` ago."""
    Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - timedelta(hours=hours))
    order.lines.get().reservations.update(hold_expires_at=timezone.now() - timedelta(hours=hours))


def test_unpaid_card_order_is_cancelled_and_its_intent_cancelled_in_stripe(
    stripe_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks, mailoutbox
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    age(order, 3)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("orders_cancel_unpaid")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    with translation.override("zh-hans"):  # recorded in the language active when it ran
        assert order.cancel_reason == translation.gettext("Not paid in time.")
    assert payment.status == PaymentStatus.CANCELED
    assert stripe_on.v1.payment_intents.retrieve(payment.provider_reference).status == "canceled"
    assert {r.status for r in order.lines.get().reservations.all()} == {ReservationStatus.CANCELLED}
    assert [m.to for m in mailoutbox] == [[visitor.email]]
    # The room is free again for someone else.
    reserve(
        [Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))], holder=VerifiedUserFactory()
    )


def test_paid_card_order_is_left_alone(
    stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    confirm_as_browser(stripe_on, payment.provider_reference)
    with django_capture_on_commit_callbacks(execute=True):
        post_event("payment_intent.succeeded", {"id": payment.provider_reference})
    age(order, 5)
    assert order_state.cancel_unpaid_orders() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_an_intent_stripe_will_not_cancel_is_logged_and_the_run_goes_on(
    stripe_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks, caplog
):
    """The visitor paid in the browser but the webhook has not come: Stripe refuses the cancel,
    we log it and carry on; the late webhook will refund the money (order_state.payment_succeeded)."""
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    confirm_as_browser(stripe_on, payment.provider_reference)
    age(order, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.cancel_unpaid_orders() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert stripe_on.v1.payment_intents.retrieve(payment.provider_reference).status == "succeeded"
    assert "cannot cancel" in caplog.text
