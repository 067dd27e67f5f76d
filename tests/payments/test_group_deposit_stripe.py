"""A group's accepted quote paid through Stripe (localstripe): the deposit from the order's page,
then the balance, each its own PaymentIntent confirmed by a signed webhook."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from groups import services
from groups.models import QuoteStatus
from orders import deposits
from orders.models import OrderStatus, ReservationStatus
from tests.groups.test_quotes import build_quote, enquiry, inventory  # noqa: F401 (fixtures)

from .test_providers import confirm_as_browser

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
NOW = datetime.datetime(2027, 3, 9, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def pay(stripe_on, payment, post_event, capture, event_id):
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    with capture(execute=True):
        response = post_event(
            "payment_intent.succeeded",
            {"id": payment.provider_reference, "object": "payment_intent"},
            event_id=event_id,
        )
    assert response.status_code == 200


@pytest.fixture
def quote(enquiry, inventory):  # noqa: F811
    made = build_quote(enquiry, inventory)
    made.status = QuoteStatus.SENT
    made.save(update_fields=["status"])
    return made


def test_deposit_then_balance_through_stripe(
    stripe_on, client, quote, now, post_event, django_capture_on_commit_callbacks
):
    order = services.accept_quote(quote).order
    client.force_login(order.user)

    # The order's page: "Pay the deposit online" goes to Stripe's pay page, which makes the intent.
    response = client.post(reverse("orders_order_pay_part", args=[order.reference]), {"provider": "stripe"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "payments_stripe_pay", args=[order.reference]
    )
    assert client.get(response["Location"]).status_code == 200
    deposit = order.payments.get()
    intent = stripe_on.v1.payment_intents.retrieve(deposit.provider_reference)
    assert (intent.amount, intent.currency) == (308_850, "cny")

    pay(stripe_on, deposit, post_event, django_capture_on_commit_callbacks, "evt_group_deposit")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert {r.status for line in order.lines.all() for r in line.reservations.all()} == {
        ReservationStatus.CONFIRMED
    }
    assert deposits.parts_paid(order).due.part == "balance"

    response = client.post(reverse("orders_order_pay_part", args=[order.reference]), {"provider": "stripe"})
    assert client.get(response["Location"]).status_code == 200
    balance = order.payments.exclude(pk=deposit.pk).get()
    assert (
        stripe_on.v1.payment_intents.retrieve(balance.provider_reference).amount == order.total_fen - 308_850
    )

    pay(stripe_on, balance, post_event, django_capture_on_commit_callbacks, "evt_group_balance")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert deposits.parts_paid(order).due is None
    # Nothing more is due: no third payment.
    response = client.post(reverse("orders_order_pay_part", args=[order.reference]), {"provider": "stripe"})
    assert response["Location"] == order.get_absolute_url() and order.payments.count() == 2
