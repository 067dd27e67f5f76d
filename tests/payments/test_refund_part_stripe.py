"""Staff refund part of a card payment: through Stripe's Refunds API (localstripe), then the webhook."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from orders import refunds
from orders.models import OrderStatus, PaymentStatus, Refund, RefundRequest
from tests.concurrency import at_once
from tests.factories.accounts import SuperuserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from .test_providers import confirm_as_browser

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def card_paid(stripe_on, visitor, stay_room, arrival, post_event, django_capture_on_commit_callbacks):
    """A ¥600.00 stay paid by card in localstripe and confirmed by its signed webhook."""
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event("payment_intent.succeeded", {"id": payment.provider_reference})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def stripe_refunds(stripe_client, intent_id):
    intent = stripe_client.v1.payment_intents.retrieve(intent_id, {"expand": ["latest_charge"]})
    return stripe_client.v1.refunds.list({"charge": intent.latest_charge.id}).data


def test_staff_part_refund_goes_through_stripe(
    stripe_on, card_paid, client, post_event, django_capture_on_commit_callbacks, mailoutbox
):
    staff = SuperuserFactory()
    client.force_login(staff)
    payment = card_paid.payments.get()
    mailoutbox.clear()
    url = reverse("orders_admin_manage", args=[card_paid.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "refund",
                "token": str(uuid.uuid4()),
                "amount_yuan": "12.50",
                "reason": "Room was cold",
            },
        )
    assert response.status_code == 302

    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == 1250
    assert in_stripe.metadata["reason"] == "Room was cold"
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.provider_reference, refund.manual) == (1250, in_stripe.id, False)
    assert refund.created_by == staff and refund.reason == "Room was cold"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_fen == 1250
    card_paid.refresh_from_db()
    assert card_paid.status == OrderStatus.PAID and not card_paid.needs_attention
    assert [m.to for m in mailoutbox] == [[card_paid.user.email]]

    # Stripe's own "charge.refunded" for that refund arrives afterwards: nothing is booked twice.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event("charge.refunded", {"id": in_stripe.charge, "object": "charge"})
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.refunded_fen == 1250 and Refund.objects.count() == 1
    card_paid.refresh_from_db()
    assert card_paid.status == OrderStatus.PAID and not card_paid.needs_attention


def test_over_refund_never_reaches_stripe(stripe_on, card_paid, client):
    """localstripe would accept more than was paid: our cap must stop it first."""
    client.force_login(SuperuserFactory())
    payment = card_paid.payments.get()
    url = reverse("orders_admin_manage", args=[card_paid.pk])
    response = client.post(
        url, {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "600.01", "reason": "too much"}
    )
    assert response.status_code == 422
    assert stripe_refunds(stripe_on, payment.provider_reference) == []
    assert not Refund.objects.exists()


def test_two_part_refunds_add_up_to_refunded(stripe_on, card_paid, django_capture_on_commit_callbacks):
    staff = SuperuserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        refunds.refund_part(card_paid, 20000, reason="First", by_user=staff)
        refunds.refund_part(card_paid, 40000, reason="Second", by_user=staff)
    payment = card_paid.payments.get()
    assert sorted(r.amount for r in stripe_refunds(stripe_on, payment.provider_reference)) == [20000, 40000]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == 60000
    card_paid.refresh_from_db()
    assert card_paid.status == OrderStatus.PAID  # refunded, not cancelled: staff chose so


def test_our_refunds_webhook_arriving_first_leaves_the_order_alone(
    stripe_on, card_paid, post_event, django_capture_on_commit_callbacks
):
    """Stripe may tell us of a part refund before our own call has booked it."""
    from orders.payments import get_provider

    payment = card_paid.payments.get()
    refund_id = get_provider("stripe").refund(payment, 60000, reason="Goodwill")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event("charge.refunded", {"id": stripe_on.v1.refunds.retrieve(refund_id).charge})
    assert response.status_code == 200
    refund = Refund.objects.get()
    assert (refund.provider_reference, refund.reason) == (refund_id, "Goodwill")
    card_paid.refresh_from_db()
    assert card_paid.status == OrderStatus.PAID and not card_paid.needs_attention
    assert {r.status for r in card_paid.lines.get().reservations.all()} == {"confirmed"}


def test_a_refund_made_in_the_stripe_dashboard_is_flagged(
    stripe_on, card_paid, post_event, django_capture_on_commit_callbacks
):
    payment = card_paid.payments.get()
    refund = stripe_on.v1.refunds.create({"payment_intent": payment.provider_reference, "amount": 5000})
    with django_capture_on_commit_callbacks(execute=True):
        post_event("charge.refunded", {"id": refund.charge})
    card_paid.refresh_from_db()
    assert card_paid.needs_attention is True
    assert payment.refunds.get().amount_fen == 5000


# --- the same form posted twice at the same instant (PostgreSQL, real threads) ------------------


def post_at_once(url, data, clients):
    """Each client posts ``data`` from its own thread and connection at the same instant."""
    posts = [lambda client=client: client.post(url, data).status_code for client in clients]
    return list(at_once(posts).elements())


def double_click(order, *, posts=2):
    staff = SuperuserFactory()
    clients = []
    for _ in range(posts):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(staff)
        clients.append(client)
    data = {"action": "refund", "token": str(uuid.uuid4()), "amount_yuan": "50", "reason": "Double click"}
    return post_at_once(reverse("orders_admin_manage", args=[order.pk]), data, clients)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_refund_form_posted_twice_at_once_refunds_once(stripe_on, card_paid):
    payment = card_paid.payments.get()
    assert double_click(card_paid) == [302, 302]
    (in_stripe,) = stripe_refunds(stripe_on, payment.provider_reference)
    assert in_stripe.amount == 5000
    assert Refund.objects.get().provider_reference == in_stripe.id
    assert RefundRequest.objects.count() == 1
    payment.refresh_from_db()
    assert payment.refunded_fen == 5000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_token_the_double_post_refunds_twice(stripe_on, card_paid, monkeypatch):
    """Proves the test above can fail: with the token check off, both posts reach Stripe."""
    monkeypatch.setattr(refunds, "_clean_refund_token", lambda token: None)
    payment = card_paid.payments.get()
    assert double_click(card_paid) == [302, 302]
    assert [r.amount for r in stripe_refunds(stripe_on, payment.provider_reference)] == [5000, 5000]
    assert Refund.objects.count() == 2
    payment.refresh_from_db()
    assert payment.refunded_fen == 10000
