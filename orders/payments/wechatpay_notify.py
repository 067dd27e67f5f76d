"""WeChat Pay notifications: which requests are WeChat's, and what one does to our payments.

The view (``wechatpay_views.wechatpay_notify``) asks ``verified_notification`` for the
notification: the SDK checks the platform's signature (``Wechatpay-Signature`` over timestamp,
nonce and body) and decrypts the resource (AES-256-GCM with our APIv3 key); we also refuse
timestamps more than five minutes from now (the SDK does not), as for Stripe. Anything else is
``InvalidWebhook`` (400, nothing changes). ``handle_notification`` then follows the Stripe
webhook's rules (``webhooks``):

1. ignores kinds we do not handle and notification ids already processed;
2. RE-QUERIES the order (or the refund) from WeChat, outside any transaction, and acts on what
   WeChat says now, never on the posted resource;
3. in one transaction: locks our order and payment rows, stores the notification id (unique), and calls
   ``orders.order_state`` / ``orders.refunds``, which hold the rules: paid once, amount and
   currency checked (a mismatch leaves it unpaid and flagged), a payment after the holds
   expired confirmed only if capacity remains (else refunded), a late failure never undoing
   "paid". A busy lock or WeChat out of reach is ``WebhookRetry`` (the view answers 503 and
   WeChat notifies again).
"""

import logging
import time

from django.conf import settings
from django.db import OperationalError, transaction

from orders import order_state, refunds
from orders.exceptions import InventoryBusy
from orders.locking import lock_payment
from orders.models import PaymentNotification

from .base import get_provider
from .exceptions import PaymentError
from .webhooks import SETTLED_STATUSES, SIGNATURE_TOLERANCE, InvalidWebhook, WebhookRetry, apply_once
from .wechatpay_provider import client, is_our_refund, out_trade_no, payment_for

logger = logging.getLogger(__name__)

TRANSACTION_EVENTS = {"TRANSACTION.SUCCESS"}
REFUND_EVENTS = {"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}
HANDLED_EVENTS = TRANSACTION_EVENTS | REFUND_EVENTS
SIGNATURE_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)
# WeChat's trade states in which the money came in ("REFUND": in, then (part) given back).
PAID_STATES = {"SUCCESS", "REFUND"}


def verified_notification(headers, body: bytes) -> dict:
    """The notification posted in ``body``, its resource decrypted, once its signature checks out."""
    signed = {name: str(headers.get(name, "") or "") for name in SIGNATURE_HEADERS}
    timestamp = signed["Wechatpay-Timestamp"]
    if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > SIGNATURE_TOLERANCE:
        raise InvalidWebhook("bad signature: no timestamp within five minutes of now")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidWebhook("the body is not UTF-8 text") from exc
    sdk = client()  # ProviderUnavailable when not configured: the view says so
    try:
        notification = sdk.callback(signed, text)
    except Exception as exc:  # the SDK raises bare Exception (unknown algorithm, serial, bad JSON)
        raise InvalidWebhook(f"bad signature: {exc}") from exc
    if not notification:
        raise InvalidWebhook("bad signature, or a resource our APIv3 key does not decrypt")
    resource = notification.get("resource") if isinstance(notification, dict) else None
    if not (
        isinstance(notification.get("id"), str)
        and notification["id"]
        and isinstance(notification.get("event_type"), str)
        and isinstance(resource, dict)
    ):
        raise InvalidWebhook("the body is not a WeChat Pay notification")
    return notification


def handle_notification(notification: dict) -> str:
    """Process one notification from ``verified_notification``; return what happened (for logs)."""
    notification_id, event_type = notification["id"], notification["event_type"]
    resource = notification["resource"]
    if event_type not in HANDLED_EVENTS:
        return "ignored"
    if PaymentNotification.objects.filter(provider="wechatpay", notification_id=notification_id).exists():
        return "duplicate"
    payment = payment_for(resource.get("out_trade_no"))
    if payment is None:
        logger.warning(
            "WeChat Pay notification %s: no payment for %s", notification_id, resource.get("out_trade_no")
        )
        return "unknown_payment"
    provider = get_provider("wechatpay")
    try:
        if event_type in TRANSACTION_EVENTS:
            fetched = provider.query(payment)
        else:
            fetched = provider.query_refund(str(resource.get("out_refund_no") or ""))
    except PaymentError as exc:
        raise WebhookRetry(str(exc)) from exc
    if not _ours(payment, fetched):
        logger.warning("WeChat Pay notification %s: not an order of ours that WeChat knows", notification_id)
        return "unknown_object"

    def apply(payment):
        if event_type in TRANSACTION_EVENTS:
            return _apply_trade(payment, fetched)
        return _apply_refund(payment, payment.order, fetched)

    return apply_once(
        payment,
        lambda payment: PaymentNotification.objects.create(
            provider="wechatpay", notification_id=notification_id, kind=event_type, payment=payment
        ),
        apply,
    )


def sync_payment(payment) -> str:
    """Ask WeChat for ``payment``'s order and book the money if it is in: what WeChat advises
    when a notification is late. Same rules as a notification (``_apply_trade``), under the same
    locks; only "paid" is acted on here (closing and failing are left to the notifications and to
    ``cancel_unpaid_orders``). Returns what happened; never raises for WeChat or a busy lock."""
    try:
        trade = get_provider("wechatpay").query(payment)
    except PaymentError:
        return "unreachable"
    if not _ours(payment, trade):
        return "unknown_object"
    if trade.get("trade_state") not in PAID_STATES:
        return "pending"
    try:
        with transaction.atomic():
            payment, _order = lock_payment(payment)
            return _apply_trade(payment, trade)
    except (InventoryBusy, OperationalError):
        return "busy"  # the notification, or the next poll, books it


def _ours(payment, fetched) -> bool:
    """Is what WeChat answered the order (or refund) of this payment, at our merchant account?"""
    return (
        isinstance(fetched, dict)
        and fetched.get("out_trade_no") == out_trade_no(payment)
        and fetched.get("mchid", settings.WECHATPAY_MCHID) == settings.WECHATPAY_MCHID
    )


def _apply_trade(payment, trade: dict) -> str:
    state = trade.get("trade_state")
    if payment.status in SETTLED_STATUSES:
        return "already_paid"  # a late "closed" or "failed" never undoes "paid"
    if state in PAID_STATES:
        amount = trade.get("amount") if isinstance(trade.get("amount"), dict) else {}
        # "paid", "mismatch" (flagged for staff), "refunding" (too late: sold out)...
        return order_state.payment_succeeded(
            payment,
            amount_fen=amount.get("total"),
            currency=str(amount.get("currency") or ""),
            provider_reference=str(trade.get("transaction_id") or "") or None,
        )
    if state in ("CLOSED", "REVOKED"):
        return "canceled" if order_state.payment_canceled(payment) else "already_canceled"
    if state == "PAYERROR":
        reason = str(trade.get("trade_state_desc") or "")[:500]
        return "failed" if order_state.payment_failed(payment, reason=reason) else "already_failed"
    return "pending"  # NOTPAY, USERPAYING: the visitor is still at it


def _apply_refund(payment, order, refund: dict) -> str:
    refund_no = str(refund.get("out_refund_no") or "")
    status = refund.get("status")
    amount = refund.get("amount") if isinstance(refund.get("amount"), dict) else {}
    if status in ("SUCCESS", "PROCESSING"):
        refund_fen = amount.get("refund")
        if isinstance(refund_fen, bool) or not isinstance(refund_fen, int) or refund_fen <= 0:
            logger.error("WeChat Pay refund %s without an amount", refund_no)
            return "ignored"
        # Ours (a cancellation's, or staff's part refund) whose notification came before we
        # booked it: book it as ours, so a part refund leaves the order as it is. One made in
        # WeChat's merchant platform is flagged for staff.
        recorded = refunds.refund_recorded(
            payment,
            amount_fen=refund_fen,
            provider_reference=refund_no,
            keep_order=is_our_refund(payment, refund_no),
        )
        return "refunded" if recorded else "already_refunded"
    # CLOSED or ABNORMAL (the visitor's account or card is gone): the money did not go back.
    order.flag_for_staff(
        f"WeChat Pay refund {refund_no} of payment {payment.pk} ended {status}: pay it out by hand."
    )
    return "refund_failed"
