"""A real localstripe per test worker, Stripe settings pointing at it, and signed-webhook helpers."""

import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe

from orders.payments import stripe_provider
from tests.orders.checkout_fixtures import arrival, stay_homestay, stay_room, visitor  # noqa: F401
from tests.payments import wechatpay_server as fake_wx
from tests.payments.alipay_server import APP_ID as ALIPAY_APP_ID
from tests.payments.alipay_server import FakeAlipay, new_key, private_pem, public_pem

WEBHOOK_SECRET = "whsec_test_tianyuan_not_secret"  # noqa: S105
SECRET_KEY = "sk_test_tianyuan_not_secret"  # noqa: S105
PUBLISHABLE_KEY = "pk_test_tianyuan"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def localstripe_url():
    """Start localstripe on a free 127.0.0.1 port (one server per xdist worker, session-long)."""
    try:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.payments.localstripe_server"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    except OSError as exc:
        pytest.skip(f"localstripe cannot start: {exc}")
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        pytest.skip(f"localstripe did not start (is it installed? output: {line!r})")
    url = f"http://127.0.0.1:{line}"
    deadline = time.monotonic() + 10
    probe = stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, max_network_retries=0)
    while True:
        try:
            probe.v1.customers.list()
            break
        except stripe.APIConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.skip("localstripe did not answer within 10 s")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_on(settings, localstripe_url):
    """Stripe enabled, its client pointed at localstripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]
    return stripe_provider.client()


@pytest.fixture
def make_payment(db):
    """An order of ``total_fen`` with one pending payment (rows made directly, no checkout)."""
    from orders.models import Order, Payment
    from tests.factories.accounts import VerifiedUserFactory

    def make(total_fen=52800, provider="stripe", user=None, **payment_fields):
        order = Order.objects.create(
            reference=f"TY-2026-{secrets.token_hex(3).upper()}",
            user=user or VerifiedUserFactory(),
            total_fen=total_fen,
            currency="CNY",
            contact_name="李华",
            contact_phone="13800000000",
            status="pending",
        )
        payment_fields.setdefault("amount_fen", total_fen)
        return Payment.objects.create(order=order, provider=provider, currency="CNY", **payment_fields)

    return make


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header: t={ts},v1=HMAC-SHA256(secret, "{ts}.{payload}")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> str:
    """A Stripe event as Stripe posts it; only ``id`` of the object matters (we re-fetch)."""
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "data": {"object": obj},
        }
    )


@pytest.fixture
def post_event(client, db):
    """POST a signed event to our webhook; returns the response."""

    def post(event_type, obj, *, event_id=None, secret=WEBHOOK_SECRET, signature=None, payload=None):
        payload = payload if payload is not None else event_payload(event_type, obj, event_id)
        headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(payload, secret)}
        return client.post(
            "/payments/stripe/webhook/", data=payload, content_type="application/json", **headers
        )

    return post


# --- WeChat Pay: the real SDK against the fake (wechatpay_server.py) ------------------------------


@pytest.fixture(scope="session")
def wechatpay_server():
    server = fake_wx.FakeWechatPay().start()
    yield server
    server.stop()


@pytest.fixture
def wechatpay_on(settings, wechatpay_server):
    """WeChat Pay configured, the SDK pointed at the fake; our private key is the fake's merchant key."""
    wechatpay_server.reset()
    fake_wx.configure(settings, wechatpay_server)
    return wechatpay_server


@pytest.fixture(scope="session")
def alipay_keys():
    """Our app's key pair and the gateway's (Alipay's) key pair, made for the test run."""
    return {"app": new_key(), "gateway": new_key(), "stranger": new_key()}


@pytest.fixture
def alipay(settings, alipay_keys):
    """The fake Alipay gateway running, and Alipay configured to use it."""
    with FakeAlipay(
        app_id=ALIPAY_APP_ID,
        app_public_key=alipay_keys["app"].public_key(),
        gateway_key=alipay_keys["gateway"],
    ) as gateway:
        settings.ALIPAY_APP_ID = ALIPAY_APP_ID
        settings.ALIPAY_APP_PRIVATE_KEY = private_pem(alipay_keys["app"])
        settings.ALIPAY_PUBLIC_KEY = public_pem(alipay_keys["gateway"])
        settings.ALIPAY_GATEWAY = gateway.url
        settings.ALIPAY_NOTIFY_URL = ""
        yield gateway
