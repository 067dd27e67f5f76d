"""PostgreSQL, real threads: WeChat Pay notifications for one payment delivered at once.

The same notification five times is stopped by the unique notification id; different
notifications for the same payment only by the order and payment row locks. The control run
switches those locks off and shows the race really happens, so the locked test can fail.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from orders import order_state
from orders.models import Order, Payment, PaymentNotification
from orders.payments import get_provider, webhooks
from orders.payments.wechatpay_provider import out_trade_no

from .test_wechatpay import NOTIFY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DELIVERIES = 5
WINDOW = 0.3  # seconds between reading the payment and writing it: widens the race on purpose


@pytest.fixture
def paid_at_wechat(wechatpay_on, make_payment):  # noqa: F811
    payment = make_payment(total_fen=52800, provider="wechatpay")
    get_provider("wechatpay").native_code_url(payment)
    wechatpay_on.pay(out_trade_no(payment))
    return payment, wechatpay_on


@pytest.fixture
def outcomes(monkeypatch):
    """What each call of ``order_state.payment_succeeded`` returned (the real function, watched)."""
    seen, real = [], order_state.payment_succeeded

    def watched(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(order_state, "payment_succeeded", watched)
    return seen


def deliver_at_once(deliveries):
    """POST each (headers, body) from its own thread and connection at the same instant: [status]."""
    barrier = threading.Barrier(len(deliveries))
    results, errors, lock = [], [], threading.Lock()

    def deliver(headers, body):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            response = Client().post(NOTIFY, data=body, content_type="application/json", headers=headers)
            with lock:
                results.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=delivery) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == len(deliveries)
    return results


def slow_lock(monkeypatch, lock=None):
    """Whoever gets the order's and payment's locks (order_state, under webhooks.apply_once's)
    holds them a while, so the other deliveries queue behind."""
    real = lock or order_state.lock_payment

    def lock_then_wait(payment):
        locked = real(payment)
        time.sleep(WINDOW)
        return locked

    monkeypatch.setattr(order_state, "lock_payment", lock_then_wait)


def test_concurrent_deliveries_of_one_notification_change_state_once(paid_at_wechat, outcomes, monkeypatch):
    payment, wechatpay = paid_at_wechat
    slow_lock(monkeypatch)
    delivery = wechatpay.paid_notification(out_trade_no(payment))
    statuses = deliver_at_once([delivery] * DELIVERIES)
    # 200 for the winner and the replays; 503 (WeChat notifies again) is also right under load.
    assert set(statuses) <= {200, 503}
    assert outcomes == ["paid"]
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert PaymentNotification.objects.filter(provider="wechatpay").count() == 1


def test_different_notifications_for_one_payment_at_once_pay_it_once(paid_at_wechat, outcomes, monkeypatch):
    payment, wechatpay = paid_at_wechat
    slow_lock(monkeypatch)
    deliveries = [wechatpay.paid_notification(out_trade_no(payment)) for _i in range(DELIVERIES)]
    statuses = deliver_at_once(deliveries)
    assert set(statuses) <= {200, 503}
    assert outcomes.count("paid") == 1, outcomes
    assert Order.objects.get().status == "paid"


def test_control_without_the_locks_the_race_happens(paid_at_wechat, outcomes, monkeypatch):
    payment, wechatpay = paid_at_wechat
    """Proves the test above can fail: with the row locks off, several deliveries each see the
    payment pending and each "pays" it."""

    def read_without_lock(payment):
        payment = Payment.objects.get(pk=payment.pk)
        return payment, Order.objects.get(pk=payment.order_id)

    monkeypatch.setattr(webhooks, "lock_rows", lambda model, pks: model._default_manager.in_bulk(sorted(pks)))
    slow_lock(monkeypatch, lock=read_without_lock)
    deliveries = [wechatpay.paid_notification(out_trade_no(payment)) for _i in range(DELIVERIES)]
    deliver_at_once(deliveries)
    assert outcomes.count("paid") > 1, outcomes
