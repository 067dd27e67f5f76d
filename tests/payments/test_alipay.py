"""Alipay direct through the real SDK (python-alipay-sdk) against a local gateway
(``alipay_server.FakeAlipay``) that checks our RSA2 signatures with our test public key and signs
its answers and notifications with its own test key: checkout → Alipay's cashier → notification
→ paid once; forged and wrong-amount notifications; a late payment refunded; refunds."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.utils import timezone

from orders import order_state, refunds
from orders.models import OrderStatus, PaymentNotification, Reservation, ReservationStatus
from orders.payments import get_provider, provider_choices
from orders.payments.alipay_provider import fen_from_yuan, yuan
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from .alipay_server import private_pem, public_pem, rsa2_sign, signing_text

pytestmark = pytest.mark.django_db

DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def alipay_order(alipay, visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    """A two-night stay checked out with Alipay, waiting for the payment."""
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="alipay").order
    return order


def cashier_link(client, order, user_agent=DESKTOP):
    """Our pay page, as the visitor's browser opens it: where it sends them (Alipay's cashier)."""
    client.force_login(order.user)
    response = client.get(f"/orders/{order.reference}/alipay/", HTTP_USER_AGENT=user_agent)
    assert response.status_code == 302
    return response["Location"]


def notify(client, fields):
    """Alipay posts a notification as a form."""
    return client.post(
        "/payments/alipay/notify/", data=urlencode(fields), content_type="application/x-www-form-urlencoded"
    )


def paid_by_visitor(client, alipay, order, **pay):
    return alipay.pay(cashier_link(client, order), **pay)


def test_pay_at_the_cashier_and_the_notification_marks_the_order_paid_once(
    client, alipay, alipay_order, visitor, django_capture_on_commit_callbacks, mailoutbox
):
    order = alipay_order
    payment = order.payments.get()
    assert order.status == OrderStatus.PENDING
    assert payment.provider == "alipay"
    assert payment.provider_reference == f"{order.reference.replace('-', '')}_{payment.pk}"

    link = alipay.open_link(cashier_link(client, order))
    assert link["method"] == "alipay.trade.page.pay"
    assert link["biz"]["out_trade_no"] == payment.provider_reference
    assert link["biz"]["total_amount"] == f"{order.total_fen // 100}.{order.total_fen % 100:02d}"
    assert link["params"]["notify_url"] == "http://testserver/payments/alipay/notify/"
    assert link["params"]["return_url"] == f"http://testserver/orders/{order.reference}/alipay/return/"
    assert "time_expire" in link["biz"]
    # A second visit sends the same trade.
    assert alipay.open_link(cashier_link(client, order))["biz"]["out_trade_no"] == payment.provider_reference

    fields = paid_by_visitor(client, alipay, order)
    for _ in range(5):  # Alipay delivers the same notification again and again
        with django_capture_on_commit_callbacks(execute=True):
            response = notify(client, fields)
        assert (response.status_code, response.content) == (200, b"success")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.status == "succeeded" and payment.paid_at is not None
    assert {r.status for r in order.lines.get().reservations.all()} == {ReservationStatus.CONFIRMED}
    assert PaymentNotification.objects.filter(provider="alipay").get().payment == payment
    assert [m for m in mailoutbox if visitor.email in m.to and order.reference in m.subject] != []
    assert len([m for m in mailoutbox if visitor.email in m.to]) == 1
    assert [method for method, _biz in alipay.calls].count("alipay.trade.query") == 1


def test_a_phone_is_sent_to_mobile_website_payment(client, alipay, alipay_order):
    link = alipay.open_link(cashier_link(client, alipay_order, user_agent=PHONE))
    assert (link["method"], link["biz"]["product_code"]) == ("alipay.trade.wap.pay", "QUICK_WAP_PAY")


def test_checkout_goes_straight_to_alipays_cashier(client, alipay, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival, nights=1)
    client.force_login(visitor)
    page = client.get("/checkout/")
    assert "支付宝" in page.content.decode() or "Alipay" in page.content.decode()
    form = {
        "contact_name": "李华",
        "contact_phone": "13800000000",
        "payment_method": "alipay",
        "token": page.context["form"]["token"].value(),
    }
    response = client.post("/checkout/", form)
    assert response.status_code == 302
    order = visitor.orders.get()
    assert response["Location"] == f"/orders/{order.reference}/alipay/"


@pytest.mark.parametrize(("method", "pays_at"), [("alipay", "/orders/{ref}/alipay/"), ("on_site", None)])
def test_the_apis_checkout_answers_where_to_pay(client, alipay, visitor, stay_room, arrival, method, pays_at):
    """An app paying by Alipay is given the cashier's page to open; paying on site, nothing."""
    import json

    basket_with_stay(visitor, stay_room, arrival, nights=1)
    client.force_login(visitor)
    details = {"contact_name": "李华", "contact_phone": "13800000000", "payment_method": method}
    response = client.post("/api/v1/checkout", data=json.dumps(details), content_type="application/json")
    assert response.status_code == 201, response.content
    order = visitor.orders.get()
    expected = "http://testserver" + pays_at.format(ref=order.reference) if pays_at else None
    assert response.json()["pay_url"] == expected


@pytest.mark.parametrize(
    "forgery", ["changed_after_signing", "signed_by_a_stranger", "unsigned", "not_base64"]
)
def test_a_forged_notification_is_refused_and_changes_nothing(
    client, alipay, alipay_keys, alipay_order, forgery
):
    fields = paid_by_visitor(client, alipay, alipay_order)
    if forgery == "changed_after_signing":
        fields["out_trade_no"] = fields["out_trade_no"] + "0"
    elif forgery == "signed_by_a_stranger":
        fields["sign"] = rsa2_sign(alipay_keys["stranger"], signing_text(fields, ("sign", "sign_type")))
    elif forgery == "unsigned":
        del fields["sign"]
    else:
        fields["sign"] = "not*base64"
    response = notify(client, fields)
    assert (response.status_code, response.content) == (400, b"fail")
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PENDING
    assert alipay_order.payments.get().status == "pending"
    assert PaymentNotification.objects.filter(provider="alipay").count() == 0
    assert "alipay.trade.query" not in [method for method, _biz in alipay.calls]


def test_a_notification_signed_for_another_app_is_refused(client, alipay, alipay_order, alipay_keys):
    fields = paid_by_visitor(client, alipay, alipay_order)
    fields.pop("sign")
    fields["app_id"] = "2021000000000002"
    fields["sign"] = rsa2_sign(alipay_keys["gateway"], signing_text(fields, ("sign", "sign_type")))
    assert notify(client, fields).status_code == 400
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PENDING


def test_a_wrong_amount_is_flagged_and_left_unpaid(client, alipay, alipay_order, mailoutbox):
    fields = paid_by_visitor(client, alipay, alipay_order, paid="1.00")
    response = notify(client, fields)
    assert response.content == b"success"
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PENDING
    assert alipay_order.payments.get().status == "pending"
    assert alipay_order.needs_attention and "reported 100 CNY" in alipay_order.staff_note
    assert mailoutbox == []


def test_the_posted_fields_are_not_believed_alipays_answer_is(client, alipay, alipay_order):
    """A notification that says paid for a trade Alipay still shows unpaid changes nothing."""
    fields = paid_by_visitor(client, alipay, alipay_order, status="WAIT_BUYER_PAY")
    assert fields["trade_status"] == "WAIT_BUYER_PAY"
    claimed = alipay.notification(fields["out_trade_no"], trade_status="TRADE_SUCCESS")
    assert notify(client, claimed).content == b"success"
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PENDING


def test_a_closed_trade_never_undoes_a_payment(
    client, alipay, alipay_order, django_capture_on_commit_callbacks
):
    fields = paid_by_visitor(client, alipay, alipay_order)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, fields)
    alipay.trades[fields["out_trade_no"]]["trade_status"] = "TRADE_CLOSED"
    assert notify(client, alipay.notification(fields["out_trade_no"])).content == b"success"
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PAID
    assert alipay_order.payments.get().status == "succeeded"


def test_an_unpaid_trade_closed_by_alipay_cancels_the_pending_order(client, alipay, alipay_order):
    fields = paid_by_visitor(client, alipay, alipay_order, status="TRADE_CLOSED")
    assert notify(client, fields).content == b"success"
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.CANCELLED
    assert alipay_order.payments.get().status == "canceled"


def test_alipay_unreachable_asks_for_the_notification_again(client, alipay, alipay_order, settings):
    fields = paid_by_visitor(client, alipay, alipay_order)
    settings.ALIPAY_GATEWAY = "http://127.0.0.1:9/gateway.do"  # nothing listens there
    response = notify(client, fields)
    assert (response.status_code, response.content) == (503, b"fail")
    assert PaymentNotification.objects.filter(provider="alipay").count() == 0
    settings.ALIPAY_GATEWAY = alipay.url
    assert notify(client, fields).content == b"success"
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PAID


def test_the_return_page_asks_alipay_and_never_believes_its_query(
    client, alipay, alipay_order, django_capture_on_commit_callbacks
):
    order = alipay_order
    fields = paid_by_visitor(client, alipay, order, status="WAIT_BUYER_PAY")
    # Back from Alipay with a query saying "paid": Alipay's own answer says it is not.
    response = client.get(
        f"/orders/{order.reference}/alipay/return/",
        {"out_trade_no": fields["out_trade_no"], "trade_status": "TRADE_SUCCESS", "sign": "x"},
    )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING

    # Paid now, and back before the notification came: the query says so, and the order is paid.
    alipay.trades[fields["out_trade_no"]]["trade_status"] = "TRADE_SUCCESS"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/orders/{order.reference}/alipay/return/")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    # The notification that follows changes nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, alipay.notification(fields["out_trade_no"])).content == b"success"
    assert order.payments.get().status == "succeeded"


def test_the_order_page_links_a_pending_alipay_payment_to_alipay(client, alipay, alipay_order):
    client.force_login(alipay_order.user)
    page = client.get(alipay_order.get_absolute_url()).content.decode()
    assert f'href="/orders/{alipay_order.reference}/alipay/"' in page
    # The whole order waits for its payment: there is no "difference of a change" to speak of.
    assert "更改产生的差价" not in page and "difference of your change" not in page


def test_a_payment_after_the_room_sold_is_refunded_through_alipay(
    client, alipay, alipay_order, visitor, stay_room, arrival, django_capture_on_commit_callbacks, mailoutbox
):
    order = alipay_order
    link = cashier_link(client, order)
    # The visitor dawdles: the hold expires and someone else takes the last room, paying on site.
    Reservation.objects.filter(order_line__order=order).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    other = VerifiedUserFactory()
    basket_with_stay(other, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_out(other).order.status == OrderStatus.CONFIRMED

    fields = alipay.pay(link)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, fields).content == b"success"

    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    assert payment.status == "refunded" and payment.refunded_fen == order.total_fen
    trade = alipay.trades[payment.provider_reference]
    assert list(trade["refunds"].values()) == [order.total_fen]
    assert payment.refunds.get().provider_reference in trade["refunds"]
    assert any(visitor.email in m.to for m in mailoutbox)


@pytest.fixture
def paid_alipay_order(client, alipay, alipay_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, paid_by_visitor(client, alipay, alipay_order))
    alipay_order.refresh_from_db()
    assert alipay_order.status == OrderStatus.PAID
    return alipay_order


def test_cancelling_a_paid_order_refunds_it_through_alipay(
    alipay, paid_alipay_order, visitor, django_capture_on_commit_callbacks
):
    order = paid_alipay_order
    with django_capture_on_commit_callbacks(execute=True):
        result = order_state.cancel_order(order, by_user=visitor)
    assert result.refund_fen == order.total_fen  # three weeks ahead, moderate policy
    payment = order.payments.get()
    assert payment.status == "refunded"
    refund = payment.refunds.get()
    (method, biz) = [call for call in alipay.calls if call[0] == "alipay.trade.refund"][0]
    assert biz["out_trade_no"] == payment.provider_reference
    assert biz["refund_amount"] == yuan(order.total_fen)
    assert biz["out_request_no"] == refund.provider_reference
    assert alipay.trades[payment.provider_reference]["refunds"] == {
        refund.provider_reference: order.total_fen
    }


def test_the_same_refund_asked_twice_moves_the_money_once(alipay, paid_alipay_order):
    payment = paid_alipay_order.payments.get()
    provider = get_provider("alipay")
    first = provider.refund(payment, 5000, reason="goodwill")
    again = provider.refund(payment, 5000, reason="goodwill")  # a retry before it was booked
    assert first == again
    assert alipay.trades[payment.provider_reference]["refunds"] == {first: 5000}


def test_part_refunds_each_have_their_own_request_number(
    alipay, paid_alipay_order, django_capture_on_commit_callbacks
):
    from tests.factories.accounts import SuperuserFactory

    order, staff = paid_alipay_order, SuperuserFactory()
    for amount in (3000, 2000):
        with django_capture_on_commit_callbacks(execute=True):
            refunds.refund_part(order, amount, reason="停水半天", by_user=staff)
    payment = order.payments.get()
    assert (payment.status, payment.refunded_fen) == ("partially_refunded", 5000)
    trade = alipay.trades[payment.provider_reference]
    assert sorted(trade["refunds"].values()) == [2000, 3000]
    assert set(trade["refunds"]) == set(payment.refunds.values_list("provider_reference", flat=True))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_past_the_refund_window_the_refund_is_left_to_staff(
    alipay, paid_alipay_order, settings, django_capture_on_commit_callbacks
):
    settings.ALIPAY_REFUND_WINDOW_DAYS = 365
    payment = paid_alipay_order.payments.get()
    assert get_provider("alipay").can_refund_online(payment)
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        assert not get_provider("alipay").can_refund_online(payment)
        assert refunds.refund_payment(payment.pk, 1000, reason="late") is None
    paid_alipay_order.refresh_from_db()
    assert paid_alipay_order.needs_attention and "pay it out by hand" in paid_alipay_order.staff_note
    assert alipay.trades[payment.provider_reference]["refunds"] == {}


def test_cancelling_an_unpaid_order_closes_its_trade(client, alipay, alipay_order):
    fields = paid_by_visitor(client, alipay, alipay_order, status="WAIT_BUYER_PAY")
    assert get_provider("alipay").cancel(alipay_order.payments.get())
    assert alipay.trades[fields["out_trade_no"]]["trade_status"] == "TRADE_CLOSED"


def test_alipay_is_offered_only_with_its_keys(settings, alipay):
    assert "alipay" in dict(provider_choices())
    settings.ALIPAY_PUBLIC_KEY = ""
    assert "alipay" not in dict(provider_choices())


def test_keys_may_be_files_or_alipays_bare_base64(
    settings, alipay, alipay_keys, tmp_path, client, alipay_order
):
    key_file = tmp_path / "app_private_key.pem"
    key_file.write_text(private_pem(alipay_keys["app"]))
    settings.ALIPAY_APP_PRIVATE_KEY = str(key_file)
    pem = public_pem(alipay_keys["gateway"])
    settings.ALIPAY_PUBLIC_KEY = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    assert alipay.open_link(cashier_link(client, alipay_order))["biz"]["total_amount"]


def test_amounts_go_between_fen_and_yuan_exactly():
    assert [yuan(n) for n in (0, 1, 10, 52800, 1234567)] == ["0.00", "0.01", "0.10", "528.00", "12345.67"]
    assert [fen_from_yuan(text) for text in ("528.00", "528.5", "528", "0.01", "19.99")] == [
        52800,
        52850,
        52800,
        1,
        1999,
    ]
    for bad in ("1e3", "-1.00", "1.001", " 1.00", "", None, 1.0, "1,00"):
        with pytest.raises(ValueError):
            fen_from_yuan(bad)
    for bad in (-1, 1.5, True, "100"):
        with pytest.raises(ValueError):
            yuan(bad)


def test_a_refund_made_in_alipays_console_is_booked_once_and_flagged(client, alipay, paid_alipay_order):
    order = paid_alipay_order
    payment = order.payments.get()
    fields = alipay.refund_in_console(payment.provider_reference, 4000)
    for _ in range(3):
        assert notify(client, fields).content == b"success"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == ("partially_refunded", 4000)
    assert payment.refunds.get().provider_reference == fields["out_biz_no"]
    assert order.needs_attention and "outside a cancellation" in order.staff_note


def test_the_notification_of_our_own_refund_does_not_count_it_twice(
    client, alipay, paid_alipay_order, visitor, django_capture_on_commit_callbacks
):
    order = paid_alipay_order
    with django_capture_on_commit_callbacks(execute=True):
        order_state.cancel_order(order, by_user=visitor)
    payment = order.payments.get()
    refund = payment.refunds.get()
    # Alipay's notification of the same refund (the trade is now closed) comes after.
    fields = alipay.notification(
        payment.provider_reference,
        out_biz_no=refund.provider_reference,
        refund_fee=yuan(order.total_fen),
        gmt_refund="2026-12-05 12:00:00.000",
    )
    assert notify(client, fields).content == b"success"
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen, payment.refunds.count()) == ("refunded", order.total_fen, 1)


def test_a_half_set_up_or_unreadable_alipay_is_a_deploy_error(settings, alipay):
    from orders.payments.alipay_provider import check_alipay_settings

    settings.DEBUG = False
    assert check_alipay_settings(None) == []
    settings.ALIPAY_PUBLIC_KEY = ""
    assert [m.id for m in check_alipay_settings(None)] == ["orders.E101"]
    settings.ALIPAY_PUBLIC_KEY = "not a key"
    assert [m.id for m in check_alipay_settings(None)] == ["orders.E102"]
    settings.ALIPAY_APP_ID = settings.ALIPAY_APP_PRIVATE_KEY = settings.ALIPAY_PUBLIC_KEY = ""
    assert check_alipay_settings(None) == []
