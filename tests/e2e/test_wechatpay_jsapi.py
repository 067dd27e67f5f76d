"""Issue #16 in a browser: inside WeChat (its User-Agent, its WeixinJSBridge played by the test), a
visitor pays an order by WeChat Pay: the pay page goes through WeChat's silent authorisation (the
fake OAuth server), opens WeChat's payment sheet with signed parameters, and once WeChat has the
money the page's poll takes the visitor to the paid order by itself."""

import re
import secrets

import pytest
from django.core.cache import cache
from django.urls import reverse

from orders.models import Order, OrderStatus, Payment, PaymentStatus
from orders.payments.wechatpay_provider import out_trade_no
from tests.accounts.wechat_server import WeChatServer
from tests.e2e.conftest import log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.payments import wechatpay_server as fake_wx

pytestmark = pytest.mark.e2e

IN_WECHAT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F30) NetType/WIFI Language/zh_CN"
)
# WeChat's bridge as the page meets it: the test sees what the page asks for and answers for WeChat.
BRIDGE = """window.WeixinJSBridge = {invoke: function (name, params, done) {
  window.__wechat = {name: name, params: params, done: done}; }};"""


@pytest.fixture
def wechat(settings, transactional_db):
    pay = fake_wx.FakeWechatPay().start()
    fake_wx.configure(settings, pay)
    oauth = WeChatServer()
    oauth.apps[fake_wx.APPID] = "oa-secret"
    settings.WECHATPAY_APP_SECRET = "oa-secret"  # noqa: S105
    settings.WECHAT_API_BASE = oauth.url
    settings.WECHAT_OPEN_BASE = oauth.url
    yield pay, oauth
    oauth.close()
    pay.stop()


def test_visitor_pays_inside_wechat_and_lands_on_the_paid_order(journey, wechat):
    pay, oauth = wechat
    visitor = VerifiedUserFactory()
    order = Order.objects.create(
        reference=f"TY-2027-{secrets.token_hex(3).upper()}",
        user=visitor,
        total_fen=52800,
        currency="CNY",
        contact_name="李华",
        contact_phone="13800000000",
        status="pending",
    )
    payment = Payment.objects.create(order=order, provider="wechatpay", currency="CNY", amount_fen=52800)

    page = journey.new_page(phone=True, user_agent=IN_WECHAT)
    page.context.route(re.compile(re.escape(oauth.url) + ".*"), lambda route: route.continue_())
    page.add_init_script(BRIDGE)
    log_in(page, visitor)
    page.goto(reverse("payments_wechatpay_pay", args=[order.reference]))
    page.wait_for_function("window.__wechat !== undefined")
    journey.shot(page, "sheet-asked")
    asked = page.evaluate("window.__wechat.name")
    params = page.evaluate("window.__wechat.params")
    assert asked == "getBrandWCPayRequest"
    message = "".join(params[name] + "\n" for name in ("appId", "timeStamp", "nonceStr", "package"))
    assert fake_wx.rsa_valid(pay.merchant_key.public_key(), message, params["paySign"])
    trade = pay.trades[out_trade_no(payment)]
    assert (
        trade["payer"] == {"openid": "o-oa-visitor"}
        and params["package"] == f"prepay_id={trade['prepay_id']}"
    )

    # The visitor pays in WeChat's sheet; WeChat's notification is late, so the poll asks WeChat.
    pay.pay(out_trade_no(payment))
    cache.clear()
    page.evaluate("window.__wechat.done({err_msg: 'get_brand_wcpay_request:ok'})")
    page.wait_for_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    journey.shot(page, "paid")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert page.locator("[data-status-url]").count() == 0  # nothing left to wait for
