"""WeChat Pay direct (API v3), through its kept SDK ``wechatpayv3``.

Offered at checkout only when its settings are all present (``configured``). The visitor pays on
our page (``wechatpay_views.wechatpay_pay``): on a desktop a Native order's ``code_url`` shown as
a QR code to scan with WeChat, in a phone's browser an H5 order's ``h5_url`` to go to, inside
WeChat's own browser a JSAPI order for the visitor's openid in our Official Account (found by
``wechatpay_oauth``; offered only with ``WECHATPAY_APP_SECRET`` set), paid through
``WeixinJSBridge``. The mini-program pays a JSAPI order of its own app id
(``jsapi_params(..., appid=WECHAT_MINIPROGRAM_APP_ID)``, the API's ``/orders/{ref}/pay/wechat``).

Our ``out_trade_no`` is the payment's idempotency key, so asking again for the same payment asks
WeChat for the same order (WeChat answers a repeated order with the same code). WeChat's
``transaction_id`` becomes the payment's provider reference once paid. The result reaches us only
through the signed notification (``wechatpay_notify``), which re-queries the order here.

Refunds go through the refund API, capped by ``base.check_refund_amount``, each with an
``out_refund_no`` made from the payment and what was refunded before, so a retry cannot refund
twice; WeChat refunds online for a year (``WECHATPAY_REFUND_WINDOW_DAYS``), past that staff use
the manual path. No call here may run inside a database transaction.
"""

import csv
import gzip
import hashlib
import io
import json
import logging
import secrets
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import requests
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wechatpayv3 import WeChatPay, WeChatPayType

from .base import (
    PAYABLE_ORDER_STATUSES,
    PAYABLE_PAYMENT_STATUSES,
    PaymentProvider,
    StartResult,
    StatementLine,
)
from .exceptions import PaymentError, ProviderUnavailable, StatementUnavailable
from .statements import beijing_time, yuan_fen

logger = logging.getLogger(__name__)

REQUIRED_SETTINGS = (
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_CERT_SERIAL_NO",
    "WECHATPAY_PRIVATE_KEY",
)
CLIENT_SETTINGS = (
    *REQUIRED_SETTINGS,
    "WECHATPAY_PUBLIC_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_CERT_DIR",
)
CURRENCY = "CNY"  # WeChat Pay direct takes yuan only; ``total`` is in fen, as ours
REFUNDABLE_STATUSES = {"succeeded", "partially_refunded"}
# WeChat keeps a Native code_url valid for two hours; ours is asked for again well before.
CODE_URL_SECONDS = 60 * 60
TIMEOUT = (5, 20)  # connect, read (seconds)

_clients: dict = {}
_clients_lock = threading.Lock()


def configured() -> bool:
    """Are all the keys there: ours, and the platform's public key (with its id) or certificates?"""
    platform = (
        settings.WECHATPAY_PUBLIC_KEY and settings.WECHATPAY_PUBLIC_KEY_ID
    ) or settings.WECHATPAY_CERT_DIR
    return bool(platform) and all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def _pem(value: str) -> str:
    """A key given as PEM text, or as the path of a file holding it."""
    if value and not value.lstrip().startswith("-----") and Path(value).is_file():
        return Path(value).read_text(encoding="utf-8")
    return value


def client() -> WeChatPay:
    """The SDK's client for the current settings (made once: it parses the keys)."""
    if not configured():
        raise ProviderUnavailable()
    key = (*(getattr(settings, name, "") for name in CLIENT_SETTINGS), settings.WECHATPAY_BASE_URL)
    with _clients_lock:
        if key not in _clients:
            try:
                wxpay = WeChatPay(
                    wechatpay_type=WeChatPayType.NATIVE,
                    mchid=settings.WECHATPAY_MCHID,
                    private_key=_pem(settings.WECHATPAY_PRIVATE_KEY),
                    cert_serial_no=settings.WECHATPAY_CERT_SERIAL_NO,
                    appid=settings.WECHATPAY_APPID,
                    apiv3_key=settings.WECHATPAY_APIV3_KEY,
                    cert_dir=settings.WECHATPAY_CERT_DIR or None,
                    public_key=_pem(settings.WECHATPAY_PUBLIC_KEY) or None,
                    public_key_id=settings.WECHATPAY_PUBLIC_KEY_ID or None,
                    timeout=TIMEOUT,
                )
            except Exception as exc:  # the SDK raises bare Exception for unreadable keys or no certificate
                logger.error("WeChat Pay client cannot be made: %s", exc)
                raise ProviderUnavailable() from exc
            if settings.WECHATPAY_BASE_URL:
                # The SDK has no option for its gateway: tests point it at a local fake WeChat Pay.
                wxpay._core._gate_way = settings.WECHATPAY_BASE_URL.rstrip("/")
            _clients[key] = wxpay
        return _clients[key]


def call(method: str, **kwargs) -> tuple[int, dict]:
    """One SDK call: (HTTP status, JSON answer). The SDK has checked the answer's signature;
    ``ProviderUnavailable`` when WeChat cannot be reached or its answer is not WeChat's."""
    try:
        status, text = getattr(client(), method)(**kwargs)
    except requests.RequestException as exc:
        logger.warning("WeChat Pay %s: %s", method, exc)
        raise ProviderUnavailable() from exc
    except PaymentError:
        raise
    except Exception as exc:  # the SDK raises bare Exception, e.g. for an answer with a bad signature
        logger.error("WeChat Pay %s failed: %s", method, exc)
        raise ProviderUnavailable() from exc
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    return status, body if isinstance(body, dict) else {}


def notify_url() -> str:
    """Where WeChat posts its notifications (registered nowhere else: sent with every order)."""
    return settings.WECHATPAY_NOTIFY_URL or (
        settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("payments_wechatpay_notify")
    )


def out_trade_no(payment) -> str:
    return payment.idempotency_key.hex


def out_refund_no(payment, amount_fen: int) -> str:
    # One refund per (payment, amount already refunded, amount): a double click or a retry after
    # a time-out asks WeChat for the same refund, which it makes once.
    return f"{payment.idempotency_key.hex}-{payment.refunded_fen}-{amount_fen}"


def is_our_refund(payment, refund_no: str) -> bool:
    """Was this refund asked for by us (else someone refunded in WeChat's merchant platform)?"""
    return str(refund_no).startswith(payment.idempotency_key.hex + "-")


def read_trade_bill(text: str) -> list[StatementLine]:
    """WeChat's trade bill (type ALL) as statement lines.

    As WeChat documents it: a CSV whose header names the columns, every value written with a
    leading backtick (so spreadsheets keep numbers as text), the transactions, then a summary
    header ("总交易单数,...") and its one row. The summary is checked against the lines, so a
    bill cut short is refused rather than half believed.
    """
    rows = [[cell.strip().lstrip("`") for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    if not rows:
        raise StatementUnavailable("WeChat Pay bill: empty")
    header, rows = rows[0], rows[1:]
    summary_at = next((i for i, row in enumerate(rows) if row[0] == "总交易单数"), None)
    if summary_at is None or summary_at + 1 >= len(rows):
        raise StatementUnavailable("WeChat Pay bill: no summary")
    summary = dict(zip(rows[summary_at], rows[summary_at + 1], strict=False))
    lines, settled, refunded = [], 0, 0
    for row in rows[:summary_at]:
        cells = dict(zip(header, row, strict=False))
        state = cells.get("交易状态")
        if state == "SUCCESS":
            settled += yuan_fen(cells["应结订单金额"])
            lines.append(
                StatementLine(
                    kind="payment",
                    reference=cells["商户订单号"],
                    transaction_id=cells["微信订单号"],
                    amount_fen=yuan_fen(cells["订单金额"]),
                    time=beijing_time(cells["交易时间"]),
                )
            )
        elif state == "REFUND":
            refunded += yuan_fen(cells["退款金额"])
            if cells.get("退款状态") != "SUCCESS":
                continue  # still processing: it is on the bill of the day it succeeds
            lines.append(
                StatementLine(
                    kind="refund",
                    reference=cells["商户退款单号"],
                    transaction_id=cells["微信退款单号"],
                    amount_fen=yuan_fen(cells["申请退款金额"]),
                    time=beijing_time(cells["交易时间"]),
                )
            )
    try:
        count = int(summary["总交易单数"])
        totals = (yuan_fen(summary["应结订单总金额"]), yuan_fen(summary["退款总金额"]))
    except (KeyError, ValueError) as exc:
        raise StatementUnavailable("WeChat Pay bill: unreadable summary") from exc
    if count != summary_at or totals != (settled, refunded):
        raise StatementUnavailable("WeChat Pay bill: the lines do not add up to its summary")
    return lines


def payment_for(trade_no):
    """Our WeChat Pay payment whose ``out_trade_no`` this is, or None."""
    from orders.models import Payment

    try:
        key = uuid.UUID(hex=str(trade_no))
    except ValueError:
        return None
    return Payment.objects.filter(provider=WechatPayProvider.name, idempotency_key=key).first()


def payable_payment(order):
    """The order's WeChat Pay payment still to be paid, or None."""
    payment = order.payments.filter(provider="wechatpay").order_by("-created_at", "-pk").first()
    if (
        payment is not None
        and order.status in PAYABLE_ORDER_STATUSES
        and payment.status in PAYABLE_PAYMENT_STATUSES
    ):
        return payment
    return None


def refused(payment, kind, status, body):
    """WeChat would not make the order: say why in the visitor's words."""
    logger.warning("WeChat Pay refused %s order of payment %s: %s %s", kind, payment.pk, status, body)
    if body.get("code") == "ORDERPAID":
        # Paid, and WeChat's notification is on its way: the order shows it in a moment.
        raise PaymentError(_("This order is paid already; it will show as paid in a moment."))
    if body.get("code") == "INVALID_REQUEST" and "201" in str(body.get("message", "")):
        # "201 商户订单号重复": WeChat takes one kind of order (QR code, phone browser, inside
        # WeChat, mini-program) per out_trade_no, and ours is one per payment.
        raise PaymentError(
            _(
                "This payment was already started with WeChat Pay in another way (a QR code, a "
                "phone's browser or the mini-program); please finish it there."
            )
        )
    raise PaymentError(_("WeChat Pay refused this payment; please choose another method."))


class WechatPayProvider(PaymentProvider):
    name = "wechatpay"
    label = _("WeChat Pay")
    online = True
    pay_view = "payments_wechatpay_pay"

    @property
    def refund_window(self) -> timedelta:
        return timedelta(days=settings.WECHATPAY_REFUND_WINDOW_DAYS)

    def is_enabled(self, order=None) -> bool:
        return configured()

    def start(self, payment) -> StartResult:
        # Which kind of WeChat order (Native or H5) depends on the visitor's device: the pay page
        # makes it (``native_code_url``/``h5_url``).
        return StartResult(needs_action=True)

    def _order_fields(self, payment) -> dict:
        if payment.currency.upper() != CURRENCY:
            raise PaymentError(_("WeChat Pay takes payments in yuan only."))
        order = payment.order
        fields = {
            "description": f"{settings.WAGTAIL_SITE_NAME} {order.reference}"[:127],
            "out_trade_no": out_trade_no(payment),
            "amount": {"total": payment.amount_fen, "currency": CURRENCY},
            "notify_url": notify_url(),
        }
        if order.hold_expires_at:
            from orders.order_state import unpaid_grace  # orders imports payments, not the reverse

            # WeChat stops taking money when we would cancel the order as not paid in time.
            expires = timezone.localtime(order.hold_expires_at + unpaid_grace())
            if expires > timezone.now():
                fields["time_expire"] = expires.isoformat(timespec="seconds")
        return fields

    def native_code_url(self, payment) -> str:
        """The ``weixin://`` address to show as a QR code (Native payment, desktop)."""
        cache_key = f"wechatpay:code_url:{payment.idempotency_key.hex}"
        code_url = cache.get(cache_key)
        if code_url:
            return code_url
        status, body = call("pay", pay_type=WeChatPayType.NATIVE, **self._order_fields(payment))
        code_url = body.get("code_url")
        if status != 200 or not isinstance(code_url, str) or not code_url:
            refused(payment, "Native", status, body)
        cache.set(cache_key, code_url, CODE_URL_SECONDS)
        return code_url

    def h5_url(self, payment, *, client_ip: str) -> str:
        """The WeChat page to send a phone's browser to (H5 payment)."""
        status, body = call(
            "pay",
            pay_type=WeChatPayType.H5,
            scene_info={"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}},
            **self._order_fields(payment),
        )
        h5_url = body.get("h5_url")
        if status != 200 or not isinstance(h5_url, str) or not h5_url.startswith("https://"):
            refused(payment, "H5", status, body)
        return h5_url

    def jsapi_params(self, payment, *, openid: str, appid: str) -> dict:
        """The signed parameters of ``getBrandWCPayRequest`` (WeChat's browser) or
        ``wx.requestPayment`` (the mini-program) for a JSAPI order paid by ``openid``, the payer's
        openid in the WeChat app ``appid`` (our Official Account, or the mini-program)."""
        cache_key = f"wechatpay:prepay:{payment.idempotency_key.hex}:{appid}:{openid}"
        prepay_id = cache.get(cache_key)
        if not prepay_id:
            status, body = call(
                "pay",
                pay_type=WeChatPayType.JSAPI,
                appid=appid,
                payer={"openid": openid},
                **self._order_fields(payment),
            )
            prepay_id = body.get("prepay_id")
            if status != 200 or not isinstance(prepay_id, str) or not prepay_id:
                refused(payment, "JSAPI", status, body)
            # A prepay_id is valid for two hours; a reload within the hour reuses it.
            cache.set(cache_key, prepay_id, CODE_URL_SECONDS)
        params = {
            "appId": appid,
            "timeStamp": str(int(time.time())),
            "nonceStr": secrets.token_hex(16),
            "package": f"prepay_id={prepay_id}",
            "signType": "RSA",
        }
        # WeChat checks paySign with our merchant certificate: RSA-SHA256 over these four lines.
        params["paySign"] = client().sign(
            [params["appId"], params["timeStamp"], params["nonceStr"], params["package"]]
        )
        return params

    def query(self, payment) -> dict | None:
        """WeChat's order for ``payment`` as WeChat has it now; None if WeChat knows none."""
        status, body = call("query", out_trade_no=out_trade_no(payment))
        if status == 404:
            return None
        if status != 200:
            raise ProviderUnavailable()
        return body

    def query_refund(self, refund_no: str) -> dict | None:
        status, body = call("query_refund", out_refund_no=refund_no)
        if status == 404:
            return None
        if status != 200:
            raise ProviderUnavailable()
        return body

    def refresh(self, payment) -> None:
        from .wechatpay_notify import sync_payment  # the notify module builds on this one

        sync_payment(payment)

    def cancel(self, payment) -> bool:
        cache.delete(f"wechatpay:code_url:{payment.idempotency_key.hex}")
        try:
            status, body = call("close", out_trade_no=out_trade_no(payment))
        except PaymentError as exc:
            logger.warning("Closing WeChat Pay order of payment %s failed: %s", payment.pk, exc)
            return False
        if status == 404:
            return True  # the visitor never opened the pay page: WeChat has no order to close
        if status not in (200, 204):
            logger.warning("WeChat Pay would not close payment %s: %s %s", payment.pk, status, body)
            return False
        return True

    def can_refund_online(self, payment, *, now=None) -> bool:
        return payment.status in REFUNDABLE_STATUSES and self.within_refund_window(payment, now=now)

    def _refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        refund_no = out_refund_no(payment, amount_fen)
        status, body = call(
            "refund",
            out_refund_no=refund_no,
            out_trade_no=out_trade_no(payment),
            amount={"refund": amount_fen, "total": payment.amount_fen, "currency": CURRENCY},
            reason=str(reason)[:80] or None,
            notify_url=notify_url(),
        )
        if status != 200 or body.get("status") not in ("SUCCESS", "PROCESSING"):
            logger.warning("WeChat Pay refused refund of payment %s: %s %s", payment.pk, status, body)
            raise PaymentError(_("WeChat Pay refused this refund."))
        return refund_no

    # --- the daily trade bill (对账单) ------------------------------------------------------------

    def reconciles(self) -> bool:
        return configured()

    def statement_reference(self, payment) -> str:
        return out_trade_no(payment)  # the bill's 商户订单号; transaction_id comes only once paid

    def statement_payments(self, references):
        from orders.models import Payment

        keys = []
        for reference in references:
            try:
                keys.append(uuid.UUID(hex=str(reference)))
            except ValueError:
                continue  # not one of our trade numbers: an unknown payment
        return Payment.objects.filter(provider=self.name, idempotency_key__in=keys)

    def statement(self, day) -> list[StatementLine]:
        """The trade bill of ``day``: asked for (GZIP), downloaded, its SHA1 checked, read."""
        try:
            status, body = call("trade_bill", bill_date=day.isoformat(), bill_type="ALL", tar_type="GZIP")
        except PaymentError as exc:
            raise StatementUnavailable(f"WeChat Pay bill: {exc}") from exc
        if status == 400 and body.get("code") == "NO_STATEMENT_EXIST":
            return []  # WeChat makes no bill for a day without a single trade
        url = body.get("download_url")
        if status != 200 or not isinstance(url, str) or not url:
            raise StatementUnavailable(
                f"WeChat Pay bill: {status} {body.get('code', '')} {body.get('message', '')}"
            )
        try:
            # The file itself is not signed (the SDK skips the check); its hash came signed.
            status, content = client().download_bill(url)
        except requests.RequestException as exc:
            raise StatementUnavailable(f"WeChat Pay bill download: {exc}") from exc
        if status != 200 or not isinstance(content, bytes):
            raise StatementUnavailable(f"WeChat Pay bill download: {status}")
        try:
            raw = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            raise StatementUnavailable("WeChat Pay bill: not a gzip file") from exc
        # WeChat's hash is of the bill itself, before compression.
        digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()  # WeChat's choice of hash
        if body.get("hash_type") != "SHA1" or digest != str(body.get("hash_value")).lower():
            raise StatementUnavailable("WeChat Pay bill: its SHA1 does not match")
        return read_trade_bill(raw.decode("utf-8-sig"))
