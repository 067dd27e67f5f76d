"""The Stripe step of checkout: the page that mounts the Payment Element."""

import pytest
from django.urls import reverse

from orders.payments import get_provider
from orders.payments.views import order_url
from tests.factories.accounts import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def pay_url(payment):
    return reverse("payments_stripe_pay", args=[payment.order.reference])


def test_pay_page_carries_the_keys_and_our_script(client, stripe_on, make_payment, settings):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    payment = make_payment(total_fen=52800)
    client.force_login(payment.order.user)

    response = client.get(pay_url(payment))

    assert response.status_code == 200
    payment.refresh_from_db()
    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    html = response.content.decode()
    assert f'data-client-secret="{intent.client_secret}"' in html
    assert 'data-publishable-key="pk_test_tianyuan"' in html
    assert 'data-stripe-js="https://js.stripe.com/v3/"' in html
    assert "js/stripe-payment.js" in html
    assert "¥528" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_pay_page_twice_uses_one_payment_intent(client, stripe_on, make_payment):
    payment = make_payment()
    client.force_login(payment.order.user)
    client.get(pay_url(payment))
    payment.refresh_from_db()
    first = payment.provider_reference
    client.get(pay_url(payment))
    payment.refresh_from_db()
    assert payment.provider_reference == first


def test_pay_page_of_another_visitor_is_404(client, stripe_on, make_payment):
    payment = make_payment()
    client.force_login(VerifiedUserFactory())
    assert client.get(pay_url(payment)).status_code == 404
    payment.refresh_from_db()
    assert payment.provider_reference == ""


def test_pay_page_needs_login(client, stripe_on, make_payment):
    payment = make_payment()
    response = client.get(pay_url(payment))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_paid_order_goes_back_to_the_order_page(client, stripe_on, make_payment):
    payment = make_payment()
    type(payment).objects.filter(pk=payment.pk).update(status="succeeded")
    client.force_login(payment.order.user)
    response = client.get(pay_url(payment))
    assert response.status_code == 302
    assert response["Location"] == order_url(payment.order)


def test_pay_page_says_so_when_stripe_is_unreachable(client, stripe_on, make_payment, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    payment = make_payment()
    client.force_login(payment.order.user)
    response = client.get(pay_url(payment))
    assert response.status_code == 503
    assert "data-client-secret" not in response.content.decode()


def test_on_site_order_has_no_stripe_page(client, stripe_on, make_payment):
    payment = make_payment(provider="on_site")
    client.force_login(payment.order.user)
    assert client.get(pay_url(payment)).status_code == 302
    assert get_provider("on_site").start(payment).client_secret is None


def test_failed_payment_can_be_tried_again_on_the_same_intent(client, stripe_on, make_payment):
    payment = make_payment()
    get_provider("stripe").start(payment)
    type(payment).objects.filter(pk=payment.pk).update(status="failed")
    client.force_login(payment.order.user)
    response = client.get(pay_url(payment))
    assert response.status_code == 200
    intent = stripe_on.v1.payment_intents.retrieve(payment.provider_reference)
    assert f'data-client-secret="{intent.client_secret}"' in response.content.decode()


@pytest.mark.parametrize(
    ("status", "provider", "query", "shown", "pay_link"),
    [
        ("succeeded", "stripe", {}, "Paid", False),
        ("pending", "stripe", {"redirect_status": "succeeded"}, "Payment processing", False),
        ("pending", "stripe", {}, "Awaiting payment", True),
        ("failed", "stripe", {}, "did not go through", True),
        ("pending", "on_site", {}, "To pay on site", False),
        ("refunded", "stripe", {}, "Refunded", False),
    ],
)
def test_payment_status_for_the_order_page(rf, make_payment, status, provider, query, shown, pay_link):
    from django.template.loader import render_to_string
    from django.utils import translation

    payment = make_payment(provider=provider, status=status)
    with translation.override("en"):
        html = render_to_string(
            "orders/payments/includes/payment_status.html", {"payment": payment}, request=rf.get("/", query)
        )
    assert shown in html
    assert (pay_url(payment).removeprefix("/en") in html or pay_url(payment) in html) is pay_link
