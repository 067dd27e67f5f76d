"""Alipay's asynchronous notifications (异步通知), and what a trade's state does to our payment.

The view (``alipay_views.alipay_notify``) asks ``verified_notification`` for the posted fields:
signed by Alipay's key (RSA2 over the sorted fields less ``sign`` and ``sign_type``) for our
app id, with a notify id and our trade number; anything else is ``InvalidWebhook`` (400, nothing
read further). ``handle_notification`` then, as the Stripe webhook does (``webhooks``):

1. ignores notify ids already processed;
2. RE-QUERIES the trade (``alipay.trade.query``) outside any transaction and acts on what Alipay
   says now, never on the posted amounts or status;
3. stores the notify id and applies the trade in one transaction under the payment's lock
   (``webhooks.apply_once``); a busy lock or an unreachable Alipay is ``WebhookRetry`` (the view
   answers "fail", and Alipay notifies again).

``apply_trade`` holds the rules, the same as Stripe's: paid only through
``order_state.payment_succeeded`` (which checks amount and currency, flags a mismatch, and
refunds money that came after the holds were sold), and a paid payment is never undone by a
later "closed" (Alipay also closes a trade once it is fully refunded). A refund's notification
(``out_biz_no``, ``gmt_refund``) is checked with Alipay's refund query and booked once per request
number (``apply_refund``): ours as ours, one made in Alipay's console flagged for staff. The
return page re-queries through ``refresh_payment``; what Alipay appends to its address is not read.
"""

import logging

from django.conf import settings
from django.db import OperationalError

from orders import order_state, refunds
from orders.exceptions import InventoryBusy
from orders.models import Payment, PaymentNotification, PaymentStatus

from .alipay_provider import PAID_STATUSES, client, fen_from_yuan
from .base import get_provider
from .exceptions import PaymentError
from .webhooks import SETTLED_STATUSES, InvalidWebhook, WebhookRetry, apply_once

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("notify_id", "app_id", "out_trade_no", "sign", "sign_type")


def verified_notification(fields: dict) -> dict:
    """The posted fields, once Alipay's signature over them checks out and they are for us."""
    if not all(isinstance(fields.get(name), str) and fields.get(name) for name in REQUIRED_FIELDS):
        raise InvalidWebhook("not an Alipay notification")
    if fields["sign_type"] != "RSA2":
        raise InvalidWebhook("not signed with RSA2")
    unsigned = {name: value for name, value in fields.items() if name not in ("sign", "sign_type")}
    try:
        valid = client().verify(dict(unsigned), fields["sign"])
    except (ValueError, TypeError) as exc:  # the signature is not base64, or not of this key's size
        raise InvalidWebhook(f"bad signature: {exc}") from exc
    if not valid:
        raise InvalidWebhook("bad signature")
    if fields["app_id"] != settings.ALIPAY_APP_ID:
        raise InvalidWebhook("signed for another app")
    return fields


def handle_notification(fields: dict) -> str:
    """Process one notification from ``verified_notification``; return what happened."""
    notify_id, number = fields["notify_id"], fields["out_trade_no"]
    if PaymentNotification.objects.filter(provider="alipay", notification_id=notify_id).exists():
        return "duplicate"
    payment = Payment.objects.filter(provider="alipay", provider_reference=number).first()
    if payment is None:
        logger.warning("Alipay notification %s: no payment for trade %s", notify_id, number)
        return "unknown_payment"
    try:
        trade = get_provider("alipay").fetch_trade(number)
        if trade is None or trade.get("out_trade_no", number) != number:
            logger.warning("Alipay notification %s: Alipay knows no trade %s", notify_id, number)
            return "unknown_object"
        # A refund's notification names its request number: Alipay is asked what it refunded.
        request_no = fields.get("out_biz_no") if fields.get("gmt_refund") else None
        refunded = get_provider("alipay").fetch_refund(number, request_no) if request_no else None
    except PaymentError as exc:
        raise WebhookRetry(str(exc.message)) from exc

    def apply(payment):
        if refunded:
            return apply_refund(payment, request_no, refunded)
        return apply_trade(payment, trade)

    return apply_once(
        payment,
        lambda payment: PaymentNotification.objects.create(
            provider="alipay",
            notification_id=notify_id,
            kind=str(trade.get("trade_status", ""))[:64],
            payment=payment,
        ),
        apply,
    )


def apply_trade(payment, trade: dict) -> str:
    """What Alipay's trade (a query's answer) means for ``payment``; called under its lock."""
    status = trade.get("trade_status")
    if status in PAID_STATUSES:
        if payment.status in SETTLED_STATUSES:
            return "already_paid"
        try:
            amount = fen_from_yuan(trade.get("total_amount"))
        except ValueError:
            amount = -1  # unreadable: order_state flags it as a mismatch, unpaid
        # Cross-border trades name their currency; a mainland trade is in yuan.
        currency = trade.get("trans_currency") or "CNY"
        return order_state.payment_succeeded(
            payment, amount_fen=amount, currency=currency, provider_reference=payment.provider_reference
        )
    if payment.status in SETTLED_STATUSES:
        # "Closed" after "paid" is a full refund (booked by our refund path), never an unpaying.
        return "already_paid"
    if status == "TRADE_CLOSED":
        if payment.status == PaymentStatus.CANCELED:
            return "already_canceled"
        order_state.payment_canceled(payment)
        return "canceled"
    return "pending"  # WAIT_BUYER_PAY: the visitor is still at the cashier


def apply_refund(payment, request_no: str, amount_fen: int) -> str:
    """A refund Alipay made (its refund query's answer): booked once per request number. One of
    ours (a cancellation's, staff's part refund) whose notification came before we booked it
    keeps the order as it is; one made in Alipay's merchant console is flagged for staff."""
    if payment.refunds.filter(provider_reference=request_no).exists():
        return "already_refunded"
    if payment.status not in SETTLED_STATUSES:
        logger.error("Alipay refund %s of payment %s, which is not paid here", request_no, payment.pk)
        return "ignored"
    ours = request_no.startswith(payment.idempotency_key.hex)
    refunds.refund_recorded(payment, amount_fen=amount_fen, provider_reference=request_no, keep_order=ours)
    return "refunded"


def refresh_payment(payment) -> str:
    """Ask Alipay how ``payment`` stands and apply it (the return page, a visitor waiting).

    Never raises for Alipay or a busy lock: the notification will tell later."""
    if not payment.provider_reference or payment.status in SETTLED_STATUSES:
        return "unchanged"
    try:
        trade = get_provider("alipay").fetch_trade(payment.provider_reference)
        if trade is None:
            return "pending"
        return apply_once(payment, lambda payment: None, lambda payment: apply_trade(payment, trade))
    except (PaymentError, WebhookRetry, InventoryBusy, OperationalError) as exc:
        logger.info("Alipay: payment %s not refreshed now: %s", payment.pk, exc)
        return "unchanged"
