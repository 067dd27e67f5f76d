"""Alipay direct (支付宝), RSA2, through the kept SDK (``python-alipay-sdk``).

The visitor is sent to Alipay with a signed link: computer-website payment
(``alipay.trade.page.pay``) on a desktop, mobile-website payment (``alipay.trade.wap.pay``) on a
phone. Our trade number (``out_trade_no``) is made from the payment, so every visit of the pay
page sends the same trade; it is kept as the payment's ``provider_reference``. The amount goes in
yuan with two decimals, written from the fen exactly (never through a float).

What the visitor pays reaches us only through Alipay's signed asynchronous notification or our
own query of the trade (``alipay_notify``); the return page's query string is never believed.
Refunds go through ``alipay.trade.refund`` with one ``out_request_no`` per refund (payment, what
was refunded before, amount), so a retry never refunds twice; past ``ALIPAY_REFUND_WINDOW_DAYS``
staff pay back by hand. No call here may run inside a database transaction.
"""

import base64
import binascii
import csv
import io
import logging
import re
import zipfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import requests
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, StartResult, StatementLine
from .exceptions import PaymentError, ProviderUnavailable, StatementUnavailable
from .statements import beijing_time, yuan_fen

logger = logging.getLogger(__name__)

SUCCESS = "10000"  # Alipay's code of a call that did what was asked
PAID_STATUSES = {"TRADE_SUCCESS", "TRADE_FINISHED"}
REFUNDABLE_STATUSES = {"succeeded", "partially_refunded"}
# Answers worth asking again later (Alipay's documented "system busy" codes).
RETRY_SUB_CODES = {"ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR", "isp.unknow-error"}
AMOUNT = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")
PHONE_AGENTS = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|Windows Phone", re.IGNORECASE)


def yuan(fen: int) -> str:
    """Fen as Alipay writes an amount: yuan with two decimals ("528.00"), exact."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise ValueError(f"not an amount in fen: {fen!r}")
    return f"{fen // 100}.{fen % 100:02d}"


def fen_from_yuan(text) -> int:
    """Alipay's amount ("528.00", "528.5", "528") in fen, exact; ValueError for anything else."""
    match = AMOUNT.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not an Alipay amount: {text!r}")
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def _key(value: str):
    """A key as set: PEM text, a path to a PEM file, or the bare base64 (DER) Alipay's tool prints."""
    value = (value or "").strip()
    if value.startswith("-----BEGIN"):
        return value
    try:
        if Path(value).is_file():
            return Path(value).read_text()
    except OSError:
        pass  # too long for a path: the key itself
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value  # let the SDK say what is wrong with it


def configured() -> bool:
    return bool(settings.ALIPAY_APP_ID and settings.ALIPAY_APP_PRIVATE_KEY and settings.ALIPAY_PUBLIC_KEY)


def client() -> AliPay:
    if not configured():
        raise ProviderUnavailable()
    return _client(
        settings.ALIPAY_APP_ID,
        settings.ALIPAY_APP_PRIVATE_KEY,
        settings.ALIPAY_PUBLIC_KEY,
        settings.ALIPAY_GATEWAY or "",
    )


@lru_cache(maxsize=4)
def _client(app_id, private_key, public_key, gateway) -> AliPay:
    try:
        alipay = AliPay(
            appid=app_id,
            app_private_key_string=_key(private_key),
            alipay_public_key_string=_key(public_key),
            sign_type="RSA2",
        )
    except (ValueError, IndexError, TypeError) as exc:
        logger.error("Alipay keys cannot be read: %s", exc)
        raise ProviderUnavailable() from exc
    if gateway:
        # The SDK knows only the live and the sandbox gateway; this is how it is pointed elsewhere.
        alipay._gateway = gateway
    return alipay


def gateway_url() -> str:
    return client()._gateway


def call(method: str, **params) -> dict:
    """One signed call of the gateway; the verified ``<method>_response`` object.

    ProviderUnavailable when Alipay cannot be reached, answers unsigned or with a bad signature,
    or is busy; otherwise the answer, whatever its code (the caller reads it).
    """
    api = getattr(client(), "api_" + method.replace(".", "_"))
    try:
        answer = api(**params)
    except AliPayValidationError as exc:
        logger.error("Alipay %s: the answer's signature does not verify", method)
        raise ProviderUnavailable() from exc
    except (AliPayException, OSError, ValueError, KeyError, AttributeError) as exc:
        # AliPayException: an unsigned error answer (our signature refused, app unknown...).
        logger.warning("Alipay %s failed: %s", method, exc)
        raise ProviderUnavailable() from exc
    if answer.get("sub_code") in RETRY_SUB_CODES:
        raise ProviderUnavailable()
    return answer


BILL_METHOD = "alipay.data.dataservice.bill.downloadurl.query"
BILL_TOTALS = re.compile(r"#(交易|退款)合计：(\d+)笔")
DOWNLOAD_TIMEOUT = (5, 60)


def read_trade_bill(archive: bytes) -> list[StatementLine]:
    """Alipay's trade bill (bill_type trade) as statement lines.

    As Alipay documents it: a zip of GBK CSVs, the details in "<pid>_<date>_业务明细.csv" beside
    its summary "(汇总)". The details file wraps the table in "#" lines (account, period, the end
    marker, "#交易合计：n笔" and "#退款合计：n笔"); values may carry padding tabs. The counts are
    checked against the lines, so a file cut short is refused rather than half believed.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(archive), metadata_encoding="gbk") as bundle:
            name = next(n for n in bundle.namelist() if n.endswith("业务明细.csv"))
            text = bundle.read(name).decode("gbk")
    except (zipfile.BadZipFile, StopIteration, UnicodeDecodeError, KeyError) as exc:
        raise StatementUnavailable("Alipay bill: not a zip with the details file") from exc
    table = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    counts = {kind: int(n) for kind, n in BILL_TOTALS.findall(text)}
    if "业务明细列表结束" not in text or set(counts) != {"交易", "退款"} or not table:
        raise StatementUnavailable("Alipay bill: the details file is incomplete")
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO("\n".join(table)))]
    header, lines = rows[0], []
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        kind = {"交易": "payment", "退款": "refund"}.get(cells.get("业务类型"))
        if kind is None:
            continue
        if kind == "payment":
            reference, amount = cells["商户订单号"], yuan_fen(cells["订单金额（元）"])
        else:
            reference, amount = cells["退款批次号/请求号"], -yuan_fen(cells["商家实收（元）"])
        lines.append(
            StatementLine(
                kind=kind,
                reference=reference,
                transaction_id=cells["支付宝交易号"],
                amount_fen=amount,
                time=beijing_time(cells.get("完成时间", "")),
            )
        )
    found = {
        "交易": sum(ln.kind == "payment" for ln in lines),
        "退款": sum(ln.kind == "refund" for ln in lines),
    }
    if found != counts:
        raise StatementUnavailable("Alipay bill: the lines do not add up to its totals")
    return lines


def out_trade_no(payment) -> str:
    """Our trade number of a payment: the order's reference and the payment (letters, digits, _)."""
    return f"{payment.order.reference.replace('-', '')}_{payment.pk}"


def is_phone(user_agent: str) -> bool:
    return bool(PHONE_AGENTS.search(user_agent or ""))


class AlipayProvider(PaymentProvider):
    name = "alipay"
    label = _("Alipay")
    online = True
    pay_view = "payments_alipay_pay"

    @property
    def refund_window(self) -> timedelta:
        return timedelta(days=settings.ALIPAY_REFUND_WINDOW_DAYS)

    def is_enabled(self, order=None) -> bool:
        return configured()

    def start(self, payment) -> StartResult:
        """Give the payment its trade number (once); the visitor then goes to ``pay_link``."""
        if not configured():
            raise ProviderUnavailable()
        if not payment.provider_reference:
            number = out_trade_no(payment)
            type(payment)._default_manager.filter(pk=payment.pk, provider_reference="").update(
                provider_reference=number
            )
            payment.refresh_from_db(fields=["provider_reference"])
        return StartResult(needs_action=True)

    def pay_link(self, payment, *, phone: bool, return_url: str, notify_url: str) -> str:
        """The signed address of Alipay's cashier for ``payment`` (after ``start``)."""
        self.start(payment)
        method = client().api_alipay_trade_wap_pay if phone else client().api_alipay_trade_page_pay
        extra = {}
        expires = _pay_by(payment)
        if expires:
            extra["time_expire"] = expires
        query = method(
            subject=f"{settings.WAGTAIL_SITE_NAME} {payment.order.reference}"[:256],
            out_trade_no=payment.provider_reference,
            total_amount=yuan(payment.amount_fen),
            return_url=return_url,
            notify_url=notify_url,
            **extra,
        )
        return f"{gateway_url()}?{query}"

    def fetch_trade(self, number: str) -> dict | None:
        """The trade as Alipay has it now (``alipay.trade.query``); None if Alipay knows none
        (the visitor never opened the cashier)."""
        answer = call("alipay.trade.query", out_trade_no=number)
        if answer.get("code") == SUCCESS:
            return answer
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return None
        logger.warning("Alipay trade query of %s: %s %s", number, answer.get("code"), answer.get("sub_code"))
        raise ProviderUnavailable()

    def refresh(self, payment) -> None:
        from .alipay_notify import refresh_payment  # the notify module builds on this one

        refresh_payment(payment)

    def cancel(self, payment) -> bool:
        """Close the trade so the visitor can no longer pay an order we gave up on. A trade the
        visitor never opened does not exist yet: the link's time limit (``_pay_by``) stops it."""
        if not payment.provider_reference:
            return True
        try:
            answer = call("alipay.trade.close", out_trade_no=payment.provider_reference)
        except ProviderUnavailable:
            return False
        if answer.get("code") == SUCCESS or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return True
        logger.warning(
            "Alipay: cannot close %s of payment %s: %s",
            payment.provider_reference,
            payment.pk,
            answer.get("sub_code"),
        )
        return False

    def can_refund_online(self, payment, *, now=None) -> bool:
        return (
            payment.status in REFUNDABLE_STATUSES
            and bool(payment.provider_reference)
            and self.within_refund_window(payment, now=now)
        )

    def _refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        # One request number per (payment, amount refunded before, amount): a double-click or a
        # retry after a time-out is the same request, which Alipay carries out once.
        request_no = f"{payment.idempotency_key.hex}_{payment.refunded_fen}_{amount_fen}"
        answer = call(
            "alipay.trade.refund",
            refund_amount=yuan(amount_fen),
            out_trade_no=payment.provider_reference,
            out_request_no=request_no,
            refund_reason=str(reason)[:256],
        )
        if answer.get("code") != SUCCESS:
            logger.warning("Alipay refused refund of payment %s: %s", payment.pk, answer.get("sub_code"))
            raise PaymentError(_("Alipay refused this refund."))
        if answer.get("fund_change") != "Y" and not self._refund_done(payment, request_no, amount_fen):
            # "N" on a repeated request: the money moved the first time, if the query says so.
            raise ProviderUnavailable()
        return request_no

    def _refund_done(self, payment, request_no, amount_fen) -> bool:
        return self.fetch_refund(payment.provider_reference, request_no) == amount_fen

    def fetch_refund(self, number: str, request_no: str) -> int | None:
        """What Alipay refunded of trade ``number`` under ``request_no``, in fen (None: nothing)."""
        answer = call("alipay.trade.fastpay.refund.query", out_trade_no=number, out_request_no=request_no)
        if answer.get("code") != SUCCESS or answer.get("refund_status", "REFUND_SUCCESS") != "REFUND_SUCCESS":
            return None
        try:
            return fen_from_yuan(answer.get("refund_amount"))
        except ValueError:
            return None

    # --- the daily bill (对账单) ------------------------------------------------------------------

    def reconciles(self) -> bool:
        return configured()

    def statement(self, day) -> list[StatementLine]:
        """The trade bill of ``day``: its address asked for with the SDK's generic signed call
        (it has no helper for this method), the answer's signature verified, the zip read."""
        try:
            answer = client().server_api(
                BILL_METHOD, biz_content={"bill_type": "trade", "bill_date": day.isoformat()}
            )
        except AliPayValidationError as exc:
            raise StatementUnavailable("Alipay bill: the answer's signature does not verify") from exc
        except (AliPayException, ProviderUnavailable, OSError, ValueError, KeyError) as exc:
            raise StatementUnavailable(f"Alipay bill: {exc}") from exc
        url = answer.get("bill_download_url")
        if answer.get("code") != SUCCESS or not url:
            raise StatementUnavailable(f"Alipay bill: {answer.get('code')} {answer.get('sub_code', '')}")
        try:
            response = requests.get(url, timeout=DOWNLOAD_TIMEOUT)
        except requests.RequestException as exc:
            raise StatementUnavailable(f"Alipay bill download: {exc}") from exc
        if response.status_code != 200:
            raise StatementUnavailable(f"Alipay bill download: {response.status_code}")
        return read_trade_bill(response.content)


def _pay_by(payment) -> str | None:
    """Alipay's ``time_expire`` (Beijing time): when unpaid orders are cancelled (holds plus the
    grace, ``order_state.cancel_unpaid``), so the cashier stops taking money for them."""
    held_until = payment.order.hold_expires_at
    if held_until is None:
        return None
    until = held_until + timedelta(minutes=settings.ORDERS_UNPAID_GRACE_MINUTES)
    if until <= timezone.now() + timedelta(minutes=5):
        return None  # a later payment (a changed stay's difference): Alipay's own limit applies
    return timezone.localtime(until).strftime("%Y-%m-%d %H:%M:%S")


REQUIRED_SETTINGS = ("ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY")


@checks.register()
def check_alipay_settings(app_configs, **kwargs):
    """Alipay half set up, or with keys the SDK cannot read, takes no payment: a warning in
    development, an error with DEBUG off (production), so a deploy's ``migrate`` stops."""
    present = [name for name in REQUIRED_SETTINGS if getattr(settings, name, "")]
    if not present:
        return []  # not used: nothing to say
    level, prefix = (checks.Warning, "orders.W") if settings.DEBUG else (checks.Error, "orders.E")
    hint = "Set ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY and ALIPAY_PUBLIC_KEY (README, 'Alipay')."
    missing = [name for name in REQUIRED_SETTINGS if name not in present]
    if missing:
        return [level(f"Alipay is half set up: {', '.join(missing)} not set.", hint=hint, id=f"{prefix}101")]
    try:
        client()
    except ProviderUnavailable:
        return [
            level(
                "Alipay's keys cannot be read (PEM, a file path, or bare base64).",
                hint=hint,
                id=f"{prefix}102",
            )
        ]
    return []
