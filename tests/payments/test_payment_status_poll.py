"""One status endpoint (/orders/<ref>/pay/status/) and one poll script for every online provider:
the order's page follows the order while an online payment is awaited (back from Alipay, Stripe
or WeChat's H5 page) and moves on once it is paid."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import OrderStatus, PaymentStatus
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from .test_providers import confirm_as_browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def status(client, order):
    return client.get(f"/en/orders/{order.reference}/pay/status/")


@pytest.mark.parametrize("provider", ["stripe", "alipay", "wechatpay"])
def test_an_online_payment_still_to_come_is_waited_for(client, make_payment, provider):
    payment = make_payment(provider=provider)
    client.force_login(payment.order.user)
    answer = status(client, payment.order).json()
    assert answer == {
        "status": "pending",
        "waiting": True,
        "order_url": f"/en/trips/{payment.order.reference}/",
    }
    payment.status = PaymentStatus.FAILED  # a failed attempt can be tried again: still waiting
    payment.save()
    assert status(client, payment.order).json()["waiting"] is True


def test_paid_cancelled_or_on_site_orders_wait_for_nothing(client, make_payment):
    paid = make_payment(provider="alipay", status=PaymentStatus.SUCCEEDED)
    paid.order.status = OrderStatus.PAID
    paid.order.save()
    client.force_login(paid.order.user)
    assert status(client, paid.order).json() == {
        "status": "paid",
        "waiting": False,
        "order_url": f"/en/trips/{paid.order.reference}/",
    }
    on_site = make_payment(provider="on_site", user=paid.order.user)
    assert status(client, on_site.order).json()["waiting"] is False
    cancelled = make_payment(provider="stripe", user=paid.order.user)
    cancelled.order.status = OrderStatus.CANCELLED
    cancelled.order.save()
    assert status(client, cancelled.order).json()["waiting"] is False


def test_only_the_owner_may_ask(client, make_payment):
    payment = make_payment(provider="alipay")
    assert status(client, payment.order).status_code == 302  # to the log-in page
    other = make_payment(provider="alipay").order.user
    client.force_login(other)
    assert status(client, payment.order).status_code == 404


def test_the_status_answer_is_never_cached(client, make_payment, django_assert_num_queries):
    payment = make_payment(provider="stripe")
    client.force_login(payment.order.user)
    status(client, payment.order)
    # session, user, order and its payments; Stripe is left to its webhook (nothing asked)
    with django_assert_num_queries(4):
        response = status(client, payment.order)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_order_page_follows_an_awaited_online_payment(client, make_payment):
    payment = make_payment(provider="alipay")
    client.force_login(payment.order.user)
    page = client.get(payment.order.get_absolute_url()).content.decode()
    assert f'data-status-url="/en/orders/{payment.order.reference}/pay/status/"' in page
    assert "payment-poll.js" in page
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in page  # without JavaScript


def test_the_order_page_polls_not_once_nothing_is_awaited_online(client, make_payment):
    on_site = make_payment(provider="on_site")
    client.force_login(on_site.order.user)
    page = client.get(on_site.order.get_absolute_url()).content.decode()
    assert "data-status-url" not in page and "payment-poll.js" not in page and "refresh" not in page
    paid = make_payment(provider="wechatpay", status=PaymentStatus.SUCCEEDED, user=on_site.order.user)
    paid.order.status = OrderStatus.PAID
    paid.order.save()
    page = client.get(paid.order.get_absolute_url()).content.decode()
    assert "data-status-url" not in page and "payment-poll.js" not in page


def test_the_order_pages_poll_costs_no_query(client, make_payment):
    """The poll's element is drawn from the payments the page fetches anyway."""
    awaited = make_payment(provider="alipay")
    on_site = make_payment(provider="on_site", user=awaited.order.user)
    client.force_login(awaited.order.user)
    client.get(on_site.order.get_absolute_url())
    client.get(awaited.order.get_absolute_url())  # warm both
    with CaptureQueriesContext(connection) as without_poll:
        client.get(on_site.order.get_absolute_url())
    with CaptureQueriesContext(connection) as with_poll:
        page = client.get(awaited.order.get_absolute_url()).content.decode()
    assert "payment-poll.js" in page
    assert len(with_poll) == len(without_poll)


def test_a_stripe_payment_whose_webhook_is_late_is_booked_by_the_poll(
    client, stripe_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    """Back from Stripe with "processing": the order's page asks Stripe itself, not only its webhook."""
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="stripe").order
    payment = order.payments.get()
    client.force_login(visitor)
    assert status(client, order).json()["waiting"] is True  # not paid at Stripe yet
    assert confirm_as_browser(stripe_on, payment.provider_reference).status == "succeeded"
    assert status(client, order).json()["waiting"] is True  # asked Stripe a moment ago: waits
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = status(client, order).json()
    assert answer["waiting"] is False and answer["status"] == "paid"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
