"""WeChat Pay direct: the real ``wechatpayv3`` SDK against a local fake WeChat Pay
(``wechatpay_server``) that checks our request signatures and signs its answers and notifications."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from orders import order_state, refunds
from orders.models import (
    OrderStatus,
    PaymentNotification,
    PaymentStatus,
    Refund,
    Reservation,
    ReservationStatus,
)
from orders.payments import available_providers, get_provider
from orders.payments.exceptions import PaymentError
from orders.payments.wechatpay_provider import out_trade_no
from orders.reservations import Claim, reserve
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out, english  # noqa: F401

from . import wechatpay_server as fake_wx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

NOTIFY = "/payments/wechatpay/notify/"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def pending(wechatpay_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    """A stay checked out to be paid by WeChat Pay; the visitor was shown the QR code."""
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="wechatpay").order
    payment = order.payments.get()
    get_provider("wechatpay").native_code_url(payment)
    return order, payment


def notify(client, capture, headers_body):
    headers, body = headers_body
    with capture(execute=True):
        return client.post(NOTIFY, data=body, content_type="application/json", headers=headers)


def refreshed(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    return order, payment


# --- offered only with its keys ----------------------------------------------------------------


def test_offered_at_checkout_only_when_configured(settings, wechatpay_on):
    assert "wechatpay" in [p.name for p in available_providers()]
    settings.WECHATPAY_APIV3_KEY = ""
    assert "wechatpay" not in [p.name for p in available_providers()]
    settings.WECHATPAY_APIV3_KEY = fake_wx.APIV3_KEY
    settings.WECHATPAY_PUBLIC_KEY = ""  # no platform key nor certificates: nothing to verify WeChat by
    assert "wechatpay" not in [p.name for p in available_providers()]


def test_checkout_sends_the_visitor_to_the_wechat_pay_page(
    client, wechatpay_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    client.force_login(visitor)
    page = client.get("/en/checkout/")
    assert "WeChat Pay" in page.content.decode()
    data = {
        "contact_name": "李华",
        "contact_phone": "13800000000",
        "payment_method": "wechatpay",
        "token": page.context["form"].initial["token"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/checkout/", data)
    order = visitor.orders.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/orders/{order.reference}/pay/wechat/"
    assert order.status == OrderStatus.PENDING and order.payments.get().provider == "wechatpay"


# --- paying: Native (QR code) and H5 ------------------------------------------------------------


def test_desktop_pay_page_shows_the_native_code_as_a_qr_code(client, pending, wechatpay_on):
    order, payment = pending
    client.force_login(order.user)
    response = client.get(f"/en/orders/{order.reference}/pay/wechat/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "payment-poll.js" in page
    trade = wechatpay_on.trades[out_trade_no(payment)]
    # The amount in fen, in yuan, with our notify address, tied to our payment.
    assert trade["amount"] == {
        "total": payment.amount_fen,
        "currency": "CNY",
        "payer_total": 0,
        "payer_currency": "CNY",
    }
    assert trade["notify_url"] == "https://tianyuan.example/payments/wechatpay/notify/"
    assert trade["time_expire"]  # WeChat stops taking money when we would cancel the order
    assert wechatpay_on.refused == []
    # Shown again (a reload): the same WeChat order, no second one.
    client.get(f"/en/orders/{order.reference}/pay/wechat/")
    assert len(wechatpay_on.trades) == 1


def test_phone_browser_goes_to_wechat_h5_page_and_comes_back_to_the_order(
    client, wechatpay_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="wechatpay").order
    client.force_login(visitor)
    response = client.get(f"/en/orders/{order.reference}/pay/wechat/", headers={"User-Agent": IPHONE})
    assert response.status_code == 302
    assert response["Location"].startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=")
    assert "redirect_url=http%3A%2F%2Ftestserver%2Fen%2Ftrips%2F" in response["Location"]
    trade = wechatpay_on.trades[out_trade_no(order.payments.get())]
    assert trade["trade_type"] == "MWEB"


def test_requests_signed_with_another_key_are_refused_by_wechat(settings, pending, wechatpay_on):
    _order, payment = pending
    settings.WECHATPAY_PRIVATE_KEY = fake_wx.private_pem(fake_wx.new_key())
    with pytest.raises(PaymentError):
        get_provider("wechatpay").query(payment)
    assert wechatpay_on.refused


def test_answers_not_signed_by_the_platform_are_not_believed(settings, pending):
    _order, payment = pending
    settings.WECHATPAY_PUBLIC_KEY = fake_wx.public_pem(fake_wx.new_key())
    with pytest.raises(PaymentError):
        get_provider("wechatpay").query(payment)


def test_status_poll_says_waiting_then_paid(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    client.force_login(order.user)
    url = f"/en/orders/{order.reference}/pay/status/"
    assert client.get(url).json()["waiting"] is True
    wechatpay_on.pay(out_trade_no(payment))
    notify(client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment)))
    answer = client.get(url).json()
    assert answer == {"status": "paid", "waiting": False, "order_url": f"/en/trips/{order.reference}/"}
    # Paid: the pay page itself sends the visitor on to the order.
    assert client.get(f"/en/orders/{order.reference}/pay/wechat/")["Location"] == answer["order_url"]


# --- notifications ------------------------------------------------------------------------------


def test_pay_then_notify_marks_the_order_paid_once(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    trade = wechatpay_on.pay(out_trade_no(payment))
    response = notify(
        client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment))
    )
    assert response.status_code == 200
    assert response.json() == {"code": "SUCCESS", "message": "成功"}
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PAID and not order.needs_attention
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_reference == trade["transaction_id"]
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED
    assert len(mail.outbox) == 1
    # Re-queried from WeChat, not taken from the posted body.
    assert ("GET", f"/v3/pay/transactions/out-trade-no/{out_trade_no(payment)}?mchid={fake_wx.MCHID}") in (
        wechatpay_on.requests
    )


def test_the_same_notification_five_times_changes_state_once(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment))
    delivery = wechatpay_on.paid_notification(out_trade_no(payment))
    for _time in range(5):
        assert notify(client, django_capture_on_commit_callbacks, delivery).status_code == 200
    # And a second notification (another id) for the same payment.
    notify(client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment)))
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PAID
    assert PaymentNotification.objects.filter(provider="wechatpay").count() == 2
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("forgery", ["other_key", "tampered", "stale", "no_signature", "bad_apiv3_key"])
def test_forged_notification_is_refused_and_changes_nothing(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks, forgery
):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment))
    trade = wechatpay_on.trades[out_trade_no(payment)]
    if forgery == "other_key":
        headers, body = wechatpay_on.paid_notification(out_trade_no(payment), key=fake_wx.new_key())
    elif forgery == "tampered":
        headers, body = wechatpay_on.paid_notification(out_trade_no(payment))
        body = body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESS" ')
    elif forgery == "stale":
        headers, body = wechatpay_on.paid_notification(
            out_trade_no(payment), timestamp=int(timezone.now().timestamp()) - 600
        )
    elif forgery == "no_signature":
        _headers, body = wechatpay_on.paid_notification(out_trade_no(payment))
        headers = {}
    else:  # signed by the platform, but its resource is not encrypted with our APIv3 key
        body = json.dumps(
            {
                "id": "forged-1",
                "event_type": "TRANSACTION.SUCCESS",
                "resource_type": "encrypt-resource",
                "resource": fake_wx.encrypt_resource(trade, "transaction", apiv3_key="x" * 32),
            }
        )
        headers = fake_wx.signed_headers(wechatpay_on.platform_key, body)
    response = notify(client, django_capture_on_commit_callbacks, (headers, body))
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PENDING and payment.status == PaymentStatus.PENDING
    assert not PaymentNotification.objects.filter(provider="wechatpay").exists()
    assert mail.outbox == []


def test_wrong_amount_is_flagged_and_left_unpaid(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    # The notification's resource carries our amount; WeChat's order (re-queried) says 1 fen.
    delivery = wechatpay_on.notification(
        "TRANSACTION.SUCCESS",
        {**wechatpay_on.pay(out_trade_no(payment)), "amount": {"total": payment.amount_fen}},
    )
    wechatpay_on.trades[out_trade_no(payment)]["amount"]["total"] = 1
    assert notify(client, django_capture_on_commit_callbacks, delivery).status_code == 200
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PENDING and order.needs_attention
    assert "reported 1 CNY" in order.staff_note
    assert payment.status == PaymentStatus.PENDING
    assert mail.outbox == []


def test_late_payment_after_the_room_sold_is_refunded_automatically(
    client, pending, wechatpay_on, stay_room, arrival, django_capture_on_commit_callbacks
):
    order, payment = pending
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=True):
        # The hold lapsed and someone else took the last room.
        reserve(
            [Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))],
            holder=VerifiedUserFactory(),
        )
        wechatpay_on.pay(out_trade_no(payment))
        response = notify(
            client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment))
        )
        assert response.status_code == 200
        order, payment = refreshed(order, payment)
        assert order.status == OrderStatus.REFUNDED and order.needs_attention
        assert payment.status == PaymentStatus.REFUNDED and payment.refunded_fen == payment.amount_fen
        [wx_refund] = wechatpay_on.refunds.values()
        assert wx_refund["amount"]["refund"] == payment.amount_fen
        assert Refund.objects.get().provider_reference == wx_refund["out_refund_no"]
        assert any("could not be confirmed" in m.body for m in mail.outbox)
        # WeChat's refund notification for that refund books nothing twice.
        wechatpay_on.finish_refund(wx_refund["out_refund_no"])
        notify(
            client,
            django_capture_on_commit_callbacks,
            wechatpay_on.refund_notification(wx_refund["out_refund_no"]),
        )
    assert Refund.objects.count() == 1
    assert PaymentNotification.objects.filter(provider="wechatpay", kind="REFUND.SUCCESS").count() == 1


# --- refunds ------------------------------------------------------------------------------------


@pytest.fixture
def paid(client, pending, wechatpay_on, django_capture_on_commit_callbacks):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment))
    notify(client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment)))
    return refreshed(order, payment)


def test_staff_part_refund_goes_through_wechat_and_its_notification_books_it_once(
    client, paid, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = paid
    staff = VerifiedUserFactory(is_staff=True)
    result = refunds.refund_part(order, 10000, reason="Breakfast not served", by_user=staff)
    assert result.refunded_fen == 10000 and result.failed_fen == 0
    [wx_refund] = wechatpay_on.refunds.values()
    assert wx_refund["amount"] == {**wx_refund["amount"], "refund": 10000, "total": payment.amount_fen}
    assert wx_refund["status"] == "PROCESSING"
    wechatpay_on.finish_refund(wx_refund["out_refund_no"])
    response = notify(
        client,
        django_capture_on_commit_callbacks,
        wechatpay_on.refund_notification(wx_refund["out_refund_no"]),
    )
    assert response.status_code == 200
    order, payment = refreshed(order, payment)
    assert Refund.objects.get().amount_fen == 10000
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_fen == 10000
    assert order.status == OrderStatus.PAID and not order.needs_attention


def test_refund_made_in_the_merchant_platform_is_booked_and_flagged(
    client, paid, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = paid
    trade = wechatpay_on.trades[out_trade_no(payment)]
    with wechatpay_on.lock:
        status, wx_refund = wechatpay_on._refund(
            {
                "out_trade_no": trade["out_trade_no"],
                "out_refund_no": "MP-REFUND-1",
                "amount": {"refund": 5000, "total": trade["amount"]["total"]},
            }
        )
    assert status == 200
    wechatpay_on.finish_refund("MP-REFUND-1")
    notify(client, django_capture_on_commit_callbacks, wechatpay_on.refund_notification("MP-REFUND-1"))
    order, payment = refreshed(order, payment)
    assert payment.refunded_fen == 5000
    assert order.needs_attention and "outside a cancellation" in order.staff_note


def test_refund_that_fails_at_wechat_is_flagged_for_staff(
    client, paid, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = paid
    refunds.refund_part(order, 10000, reason="Goodwill", by_user=VerifiedUserFactory(is_staff=True))
    [wx_refund] = wechatpay_on.refunds.values()
    wechatpay_on.finish_refund(wx_refund["out_refund_no"], status="ABNORMAL")
    notify(
        client,
        django_capture_on_commit_callbacks,
        wechatpay_on.refund_notification(wx_refund["out_refund_no"]),
    )
    order.refresh_from_db()
    assert order.needs_attention and "ended ABNORMAL" in order.staff_note


def test_refund_past_the_window_is_left_to_staff(settings, paid):
    _order, payment = paid
    provider = get_provider("wechatpay")
    assert provider.can_refund_online(payment)
    assert not provider.can_refund_online(payment, now=timezone.now() + timedelta(days=366))
    settings.WECHATPAY_REFUND_WINDOW_DAYS = 30
    assert not provider.can_refund_online(payment, now=timezone.now() + timedelta(days=31))


def test_cancelling_the_order_refunds_in_full_through_wechat(
    paid, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = paid
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(
            order, by_user=VerifiedUserFactory(is_staff=True), reason="Flood", staff=True
        )
    order, payment = refreshed(order, payment)
    [wx_refund] = wechatpay_on.refunds.values()
    assert wx_refund["amount"]["refund"] == payment.amount_fen
    assert order.status == OrderStatus.REFUNDED and payment.status == PaymentStatus.REFUNDED


def test_unpaid_order_is_closed_at_wechat(pending, wechatpay_on, django_capture_on_commit_callbacks):
    order, payment = pending
    with django_capture_on_commit_callbacks(execute=True):
        assert order_state.cancel_unpaid(order, now=timezone.now() + timedelta(hours=5)) is True
    assert wechatpay_on.trades[out_trade_no(payment)]["trade_state"] == "CLOSED"


def test_an_order_never_shown_to_wechat_needs_no_closing(
    wechatpay_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="wechatpay").order
    assert get_provider("wechatpay").cancel(order.payments.get()) is True
    assert wechatpay_on.trades == {}


def test_pay_page_of_an_order_paid_at_wechat_but_not_yet_notified_says_so(client, pending, wechatpay_on):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment))
    cache.clear()  # the code WeChat gave an hour ago has gone: we ask WeChat again
    client.force_login(order.user)
    response = client.get(f"/en/orders/{order.reference}/pay/wechat/")
    assert response.status_code == 503
    assert "This order is paid already" in response.content.decode()


def test_notifications_are_refused_while_wechat_pay_is_not_configured(
    client, settings, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment))
    delivery = wechatpay_on.paid_notification(out_trade_no(payment))
    settings.WECHATPAY_MCHID = ""
    assert notify(client, django_capture_on_commit_callbacks, delivery).status_code == 400
    order, payment = refreshed(order, payment)
    assert (
        payment.status == PaymentStatus.PENDING
        and not PaymentNotification.objects.filter(provider="wechatpay").exists()
    )


def test_a_notification_for_an_order_wechat_does_not_show_as_paid_changes_nothing(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    # Signed by the platform and saying "paid", but WeChat's order (re-queried) is still unpaid.
    trade = {**wechatpay_on.trades[out_trade_no(payment)], "trade_state": "SUCCESS"}
    delivery = wechatpay_on.notification("TRANSACTION.SUCCESS", trade)
    assert notify(client, django_capture_on_commit_callbacks, delivery).status_code == 200
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PENDING and payment.status == PaymentStatus.PENDING
    assert mail.outbox == []


def test_a_late_notification_does_not_keep_the_visitor_waiting(
    client, pending, wechatpay_on, django_capture_on_commit_callbacks
):
    """WeChat's advice: query the order when its notification is late. The poll does, at most
    every few seconds, and books the money by the same rules."""
    order, payment = pending
    client.force_login(order.user)
    url = f"/en/orders/{order.reference}/pay/status/"
    cache.clear()
    assert client.get(url).json()["waiting"] is True
    wechatpay_on.pay(out_trade_no(payment))
    # Within the throttle: WeChat is not asked again.
    assert client.get(url).json()["waiting"] is True
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(url).json()
    assert answer["waiting"] is False and answer["status"] == "paid"
    order, payment = refreshed(order, payment)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_reference.startswith("4200")
    assert len(mail.outbox) == 1
    # The notification arriving after all changes nothing.
    notify(client, django_capture_on_commit_callbacks, wechatpay_on.paid_notification(out_trade_no(payment)))
    assert len(mail.outbox) == 1
    assert refreshed(order, payment)[0].status == OrderStatus.PAID


def test_the_poll_does_not_take_a_wrong_amount_either(client, pending, wechatpay_on):
    order, payment = pending
    wechatpay_on.pay(out_trade_no(payment), payer_total=1)
    client.force_login(order.user)
    cache.clear()
    assert client.get(f"/en/orders/{order.reference}/pay/status/").json()["waiting"] is True
    order, payment = refreshed(order, payment)
    assert payment.status == PaymentStatus.PENDING and order.needs_attention
