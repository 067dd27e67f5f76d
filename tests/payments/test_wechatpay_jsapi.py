"""WeChat Pay inside WeChat (JSAPI) and from the mini-program, with the real ``wechatpayv3`` SDK
against the fake WeChat Pay (``wechatpay_server``) and WeChat's web authorisation against the fake
OAuth API (``tests/accounts/wechat_server.py``); and the one status endpoint every online
provider's page polls."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import WeChatIdentity
from accounts.tokens import issue_token
from orders.models import OrderStatus, PaymentNotification, PaymentStatus
from orders.payments import get_provider
from orders.payments.wechatpay_oauth import SESSION_OPENID, SESSION_STATE
from orders.payments.wechatpay_provider import out_trade_no
from tests.accounts.wechat_server import WeChatServer
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

from . import wechatpay_server as fake_wx
from .test_wechatpay import notify, refreshed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

OA_SECRET = "test-official-account-secret"  # noqa: S105
OPEN_BASE = "https://open.weixin.example"
IN_WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 "
    "MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
MINI_APPID = fake_wx.MINIPROGRAM_APPID


@pytest.fixture
def pending(wechatpay_on, visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    """A stay checked out to be paid by WeChat Pay, not yet shown to WeChat."""
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor, payment_method="wechatpay").order
    return order, order.payments.get()


@pytest.fixture
def wechat_oauth(settings):
    """WeChat's OAuth API, knowing our Official Account (the app bound to WeChat Pay) and its secret."""
    server = WeChatServer()
    server.apps[fake_wx.APPID] = OA_SECRET
    settings.WECHAT_API_BASE = server.url
    settings.WECHAT_OPEN_BASE = OPEN_BASE
    settings.WECHATPAY_APP_SECRET = OA_SECRET
    yield server
    server.close()


@pytest.fixture
def in_wechat(client, pending):
    client.force_login(pending[0].user)
    client.defaults["HTTP_USER_AGENT"] = IN_WECHAT
    return client


def pay_page(order):
    return f"/en/orders/{order.reference}/pay/wechat/"


def authorise(client, order, oauth, openid="o-oa-li-hua"):
    """Open the pay page in WeChat, and come back from WeChat's silent authorisation."""
    response = client.get(pay_page(order))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    code = oauth.scan(openid, appid=fake_wx.APPID, scope="snsapi_base")
    return (
        response,
        query,
        client.get(urlsplit(query["redirect_uri"][0]).path, {"code": code, "state": query["state"][0]}),
    )


def jsapi_params(response) -> dict:
    page = response.content.decode()
    start = page.index('<script id="wechatpay-jsapi-params" type="application/json">') + len(
        '<script id="wechatpay-jsapi-params" type="application/json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def signature_checks_out(merchant_key, params) -> bool:
    """What WeChat does with paySign: RSA-SHA256 over appId, timeStamp, nonceStr, package, each
    followed by a newline, checked with the merchant's public key."""
    message = "".join(params[name] + "\n" for name in ("appId", "timeStamp", "nonceStr", "package"))
    return fake_wx.rsa_valid(merchant_key.public_key(), message, params["paySign"])


# --- inside WeChat's browser --------------------------------------------------------------------


def test_in_wechat_the_pay_page_asks_wechat_silently_who_pays(in_wechat, pending, wechat_oauth):
    order, _payment = pending
    response = in_wechat.get(pay_page(order))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{OPEN_BASE}/connect/oauth2/authorize"
    assert location.fragment == "wechat_redirect"
    query = parse_qs(location.query)
    assert query["appid"] == [fake_wx.APPID] and query["scope"] == ["snsapi_base"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [f"http://testserver/en/orders/{order.reference}/pay/wechat/authorised/"]
    # The state is this session's, for this order: nobody else's link can bring an openid in.
    assert in_wechat.session[SESSION_STATE] == {"state": query["state"][0], "ref": order.reference}


def test_paying_in_wechat_authorises_opens_wechats_sheet_and_is_paid_once(
    in_wechat, pending, wechat_oauth, wechatpay_on, django_capture_on_commit_callbacks
):
    order, payment = pending
    _response, _query, back = authorise(in_wechat, order, wechat_oauth, openid="o-oa-li-hua")
    assert back.status_code == 302 and back["Location"] == pay_page(order)
    # The code was exchanged with the Official Account's own id and secret.
    [(_method, path, params)] = wechat_oauth.requests
    assert path == "/sns/oauth2/access_token"
    assert (params["appid"], params["secret"], params["grant_type"]) == (
        fake_wx.APPID,
        OA_SECRET,
        "authorization_code",
    )
    assert in_wechat.session[SESSION_OPENID] == {"appid": fake_wx.APPID, "openid": "o-oa-li-hua"}
    assert SESSION_STATE not in in_wechat.session  # a state is used once

    response = in_wechat.get(pay_page(order))
    assert response.status_code == 200
    page = response.content.decode()
    assert "wechatpay-jsapi.js" in page and "payment-poll.js" in page
    params = jsapi_params(response)
    trade = wechatpay_on.trades[out_trade_no(payment)]
    assert trade["trade_type"] == "JSAPI" and trade["payer"] == {"openid": "o-oa-li-hua"}
    assert trade["appid"] == fake_wx.APPID and trade["amount"]["total"] == payment.amount_fen
    assert params["appId"] == fake_wx.APPID and params["signType"] == "RSA"
    assert params["package"] == f"prepay_id={trade['prepay_id']}"
    assert signature_checks_out(wechatpay_on.merchant_key, params)
    assert not signature_checks_out(fake_wx.new_key(), params)  # the check itself can fail
    assert wechatpay_on.refused == []

    # The visitor pays in WeChat's sheet; WeChat notifies (twice, as it may).
    wechatpay_on.pay(out_trade_no(payment))
    delivery = wechatpay_on.paid_notification(out_trade_no(payment))
    for _ in range(2):
        assert notify(in_wechat, django_capture_on_commit_callbacks, delivery).status_code == 200
    order, payment = refreshed(order, payment)
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert PaymentNotification.objects.filter(provider="wechatpay").count() == 1
    answer = in_wechat.get(f"/en/orders/{order.reference}/pay/status/").json()
    assert answer == {"status": "paid", "waiting": False, "order_url": f"/en/trips/{order.reference}/"}


def test_a_state_this_session_did_not_send_is_refused(in_wechat, pending, wechat_oauth, wechatpay_on):
    order, _payment = pending
    first = in_wechat.get(pay_page(order))
    state = parse_qs(urlsplit(first["Location"]).query)["state"][0]
    code = wechat_oauth.scan("o-attacker", appid=fake_wx.APPID, scope="snsapi_base")
    # The same visitor in another session (a link sent to them): the state is not theirs.
    other = Client(HTTP_USER_AGENT=IN_WECHAT)
    other.force_login(order.user)
    response = other.get(
        f"/en/orders/{order.reference}/pay/wechat/authorised/", {"code": code, "state": state}
    )
    assert response.status_code == 400
    assert "does not belong to this visit" in response.content.decode()
    assert SESSION_OPENID not in other.session
    # A wrong state in the right session: refused too, and the stored one is spent.
    response = in_wechat.get(
        f"/en/orders/{order.reference}/pay/wechat/authorised/", {"code": code, "state": state + "x"}
    )
    assert response.status_code == 400 and SESSION_OPENID not in in_wechat.session
    response = in_wechat.get(
        f"/en/orders/{order.reference}/pay/wechat/authorised/", {"code": code, "state": state}
    )
    assert response.status_code == 400
    assert wechat_oauth.requests == []  # no code was ever exchanged
    assert wechatpay_on.trades == {}  # and no JSAPI order made


def test_refused_and_bad_codes_get_a_clear_page(settings, in_wechat, pending, wechat_oauth):
    order, _payment = pending
    url = f"/en/orders/{order.reference}/pay/wechat/authorised/"

    def state():
        return parse_qs(urlsplit(in_wechat.get(pay_page(order))["Location"]).query)["state"][0]

    refused = in_wechat.get(url, {"state": state()})  # WeChat came back without a code
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "did not authorise this payment page" in page
    assert f"{pay_page(order)}?qr=1" in page and "Try again" in page
    bad = in_wechat.get(url, {"state": state(), "code": "not-a-code"})
    assert bad.status_code == 400 and "did not tell us who is paying" in bad.content.decode()
    wechat_oauth.apps[fake_wx.APPID] = "another secret"  # the site's secret is wrong: not the visitor's fault
    code = wechat_oauth.scan("o-li", appid=fake_wx.APPID, scope="snsapi_base")
    misconfigured = in_wechat.get(url, {"state": state(), "code": code})
    assert misconfigured.status_code == 503 and "scanning the QR code" in misconfigured.content.decode()
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # WeChat out of reach: try again later
    code = wechat_oauth.scan("o-li", appid=fake_wx.APPID, scope="snsapi_base")
    unreachable = in_wechat.get(url, {"state": state(), "code": code})
    assert unreachable.status_code == 503 and "could not be reached" in unreachable.content.decode()
    assert SESSION_OPENID not in in_wechat.session


def test_without_the_official_accounts_secret_wechat_is_shown_the_qr_code(settings, in_wechat, pending):
    settings.WECHATPAY_APP_SECRET = ""
    order, _payment = pending
    response = in_wechat.get(pay_page(order))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "cannot be paid from inside WeChat" in page
    assert "wechatpay-jsapi" not in page


def test_in_wechat_the_qr_code_is_still_there_on_request(in_wechat, pending, wechat_oauth):
    order, _payment = pending
    response = in_wechat.get(pay_page(order) + "?qr=1")
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert wechat_oauth.requests == []


def test_the_jsapi_page_and_the_poll_run_in_a_fixed_number_of_queries(
    in_wechat, pending, wechat_oauth, django_assert_num_queries
):
    order, _payment = pending
    authorise(in_wechat, order, wechat_oauth)
    in_wechat.get(pay_page(order))  # warm: the site, the footer, the prepay id
    # session, user, order, payment; the layout's: permissions (2), site, root page, footer
    with django_assert_num_queries(9):
        assert in_wechat.get(pay_page(order)).status_code == 200
    cache.clear()  # the poll asks WeChat once (not paid): session, user, order + payments, again
    with django_assert_num_queries(6):
        assert in_wechat.get(f"/en/orders/{order.reference}/pay/status/").json()["waiting"] is True
    with django_assert_num_queries(4):  # within REFRESH_SECONDS: our database only
        assert in_wechat.get(f"/en/orders/{order.reference}/pay/status/").json()["waiting"] is True


# --- the mini-program, through the API ----------------------------------------------------------


@pytest.fixture
def mini_program(settings, wechatpay_on):
    settings.WECHAT_MINIPROGRAM_APP_ID = MINI_APPID
    settings.WECHAT_MINIPROGRAM_SECRET = "test-mini-secret"  # noqa: S105
    return wechatpay_on


def api_pay(user, ref):
    """As the mini-program calls it: its app token, no cookies, CSRF enforced (wx.request keeps none)."""
    app = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    token = issue_token(user, name="WeChat mini-program")
    return app.post(
        f"/api/v1/orders/{ref}/pay/wechat",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_mini_program_gets_signed_request_payment_parameters(pending, mini_program):
    order, payment = pending
    WeChatIdentity.objects.create(user=order.user, kind="miniprogram", openid="o-mini-li-hua")
    response = api_pay(order.user, order.reference)
    assert response.status_code == 200, response.content
    body = response.json()
    trade = mini_program.trades[out_trade_no(payment)]
    assert trade["appid"] == MINI_APPID and trade["payer"] == {"openid": "o-mini-li-hua"}
    assert body["appId"] == MINI_APPID and body["package"] == f"prepay_id={trade['prepay_id']}"
    assert body["signType"] == "RSA" and signature_checks_out(mini_program.merchant_key, body)
    assert (body["order_ref"], body["total_fen"], body["currency"]) == (
        order.reference,
        payment.amount_fen,
        "CNY",
    )


def test_the_mini_programs_payment_is_refused_clearly(pending, mini_program, settings, make_payment):
    order, payment = pending
    url_user = order.user
    # Not the caller's order: not found, as every order of the API.
    stranger = VerifiedUserFactory()
    WeChatIdentity.objects.create(user=stranger, kind="miniprogram", openid="o-stranger")
    response = api_pay(stranger, order.reference)
    assert response.status_code == 404
    # The owner never logged in from the mini-program: no openid to pay with.
    response = api_pay(url_user, order.reference)
    assert response.status_code == 403 and response.json()["code"] == "wechat_login_required"
    WeChatIdentity.objects.create(user=url_user, kind="miniprogram", openid="o-mini-li-hua")
    # WeChat Pay not set up for the mini-program.
    settings.WECHAT_MINIPROGRAM_APP_ID = ""
    response = api_pay(url_user, order.reference)
    assert response.status_code == 409 and response.json()["code"] == "wechatpay_unavailable"
    settings.WECHAT_MINIPROGRAM_APP_ID = MINI_APPID
    # An order paid on site is not the mini-program's to pay.
    on_site = make_payment(provider="on_site", user=url_user).order
    response = api_pay(url_user, on_site.reference)
    assert response.status_code == 409 and response.json()["code"] == "not_payable"
    assert mini_program.trades == {}  # nothing was asked of WeChat for any of these


def test_a_paid_order_is_not_paid_again_from_the_mini_program(
    client, pending, mini_program, django_capture_on_commit_callbacks
):
    order, payment = pending
    WeChatIdentity.objects.create(user=order.user, kind="miniprogram", openid="o-mini-li-hua")
    assert api_pay(order.user, order.reference).status_code == 200
    mini_program.pay(out_trade_no(payment))
    notify(client, django_capture_on_commit_callbacks, mini_program.paid_notification(out_trade_no(payment)))
    assert refreshed(order, payment)[0].status == OrderStatus.PAID
    response = api_pay(order.user, order.reference)
    assert response.status_code == 409 and response.json()["code"] == "not_payable"
    assert "This order is not waiting for a WeChat Pay payment." in response.json()["detail"]


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/orders/{ref}/pay/wechat"]["post"]
    assert set(operation["responses"]) >= {"200", "403", "404", "409", "503"}
    assert "wx.requestPayment" in operation["summary"]


def test_coming_back_from_wechat_runs_in_a_fixed_number_of_queries(
    in_wechat, pending, wechat_oauth, django_assert_num_queries
):
    order, _payment = pending
    first = in_wechat.get(pay_page(order))
    query = parse_qs(urlsplit(first["Location"]).query)
    code = wechat_oauth.scan("o-oa-li-hua", appid=fake_wx.APPID, scope="snsapi_base")
    # session, user, order, payment; the session saved with the openid (in a savepoint: 3)
    with django_assert_num_queries(7):
        response = in_wechat.get(
            urlsplit(query["redirect_uri"][0]).path, {"code": code, "state": query["state"][0]}
        )
    assert response.status_code == 302
    # A forged state: the page with the reason, drawn with the layout's queries as well.
    in_wechat.get(pay_page(order))
    with django_assert_num_queries(9):
        response = in_wechat.get(urlsplit(query["redirect_uri"][0]).path, {"code": code, "state": "forged"})
    assert response.status_code == 400


def test_a_jsapi_order_wechat_refuses_gets_a_clear_page(in_wechat, pending, wechat_oauth, wechatpay_on):
    order, payment = pending
    authorise(in_wechat, order, wechat_oauth)
    assert in_wechat.get(pay_page(order)).status_code == 200
    wechatpay_on.pay(out_trade_no(payment))  # paid in WeChat, its notification not here yet
    cache.clear()  # the prepay id is asked for again
    response = in_wechat.get(pay_page(order))
    assert response.status_code == 503
    page = response.content.decode()
    assert "This order is paid already" in page and f"{pay_page(order)}?qr=1" in page
    assert "wechatpay-jsapi.js" not in page


def test_a_payment_started_as_a_qr_code_says_where_to_finish_it(
    in_wechat, pending, wechat_oauth, wechatpay_on
):
    """WeChat takes one kind of order per out_trade_no (ours: one per payment): a visitor who was
    shown the QR code on a desktop is told so inside WeChat, not sent into a dead end."""
    order, payment = pending
    get_provider("wechatpay").native_code_url(payment)
    authorise(in_wechat, order, wechat_oauth)
    response = in_wechat.get(pay_page(order))
    assert response.status_code == 503
    assert "already started with WeChat Pay in another way" in response.content.decode()
    assert wechatpay_on.trades[out_trade_no(payment)]["trade_type"] == "NATIVE"  # left as it was
