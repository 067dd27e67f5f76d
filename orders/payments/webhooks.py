"""Stripe webhooks: which requests are Stripe's events, and what such an event does to our payments.

The view (``views.stripe_webhook``) asks ``verified_event`` for the event: a UTF-8 JSON body
signed with our secret at a time within five minutes of now (either side), holding an event
object; anything else is ``InvalidWebhook`` (400, nothing read further). ``handle_event`` then:

1. ignores event types we do not handle and event ids already processed;
2. RE-FETCHES the PaymentIntent (or the charge and its refunds) from Stripe, outside any
   transaction, and acts on what Stripe says now, never on the posted body. Events may come late,
   twice or out of order: acting on the current state makes the order of arrival irrelevant;
3. in one transaction: locks our payment row, stores the event id (unique), and calls
   ``orders.order_state``. If the lock cannot be had, nothing is stored and ``WebhookRetry`` tells
   the view to answer 503 so Stripe delivers the event again.

A paid payment is never undone by a later "failed" or "canceled"; amount and currency are checked
against the order by ``order_state.payment_succeeded`` (a mismatch leaves it unpaid and flagged).
"""

import json
import logging
import time

import stripe
from django.db import IntegrityError, OperationalError, transaction

from orders import order_state, refunds
from orders.exceptions import InventoryBusy
from orders.locking import lock_rows
from orders.models import Order, Payment, StripeEvent

from .base import get_provider, refundable_fen
from .exceptions import PaymentError
from .stripe_provider import _field, client

logger = logging.getLogger(__name__)

INTENT_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"}
CHARGE_EVENTS = {"charge.refunded"}
HANDLED_EVENTS = INTENT_EVENTS | CHARGE_EVENTS
# Our payment statuses after which Stripe's "failed" or "canceled" must change nothing.
SETTLED_STATUSES = {"succeeded", "refunded", "partially_refunded"}


# How far a signature's timestamp may be from now, in seconds, in the past as in the future.
SIGNATURE_TOLERANCE = 300


class WebhookRetry(Exception):
    """The event could not be processed now (busy lock, Stripe unreachable): answer 503."""


class InvalidWebhook(Exception):
    """Not a Stripe event signed with our secret just now: answer 400 and change nothing."""


def verified_event(body: bytes, signature: str, secret: str) -> dict:
    """The event posted in ``body``, once its ``Stripe-Signature`` header checks out.

    Stripe's own check verifies the HMAC and refuses timestamps older than the tolerance but not
    ones in the future: a body signed with a far-off timestamp would stay valid, and replayable,
    until then. Those are refused here. The body must then be an event object (``id`` and
    ``type`` as text, ``data.object`` an object), the only shape ``handle_event`` can read.
    """
    try:
        payload = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidWebhook("the body is not UTF-8 text") from exc
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance=SIGNATURE_TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"bad signature: {exc}") from exc
    if _signed_at(signature) > time.time() + SIGNATURE_TOLERANCE:
        raise InvalidWebhook("bad signature: its timestamp is in the future")
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidWebhook("the body is not JSON") from exc
    data = event.get("data") if isinstance(event, dict) else None
    if not (
        isinstance(event, dict)
        and event.get("object") == "event"
        and _text(event.get("id"))
        and _text(event.get("type"))
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    ):
        raise InvalidWebhook("the body is not a Stripe event object")
    return event


def _signed_at(signature: str) -> int:
    """The header's timestamp, read as ``stripe.WebhookSignature`` reads it (first ``t=``)."""
    for item in signature.split(","):
        parts = item.split("=", 2)
        if parts[0] == "t":
            return int(parts[1])
    raise InvalidWebhook("bad signature: no timestamp")  # verify_header has refused it already


def _text(value) -> bool:
    return isinstance(value, str) and bool(value)


def handle_event(event: dict) -> str:
    """Process one event from ``verified_event``; return what happened (for logs and tests)."""
    event_id, event_type = _field(event, "id"), _field(event, "type")
    if event_type not in HANDLED_EVENTS or not isinstance(event_id, str) or not event_id:
        return "ignored"
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return "duplicate"
    object_id = _field(_field(_field(event, "data"), "object"), "id")
    if not isinstance(object_id, str) or not object_id:
        logger.warning("Stripe event %s without an object id", event_id)
        return "ignored"

    try:
        if event_type in INTENT_EVENTS:
            fetched = get_provider("stripe").fetch_intent(object_id)
            intent_id = fetched.id
        else:
            fetched = _fetch_charge(object_id)
            intent_id = _field(fetched["charge"], "payment_intent")
            intent_id = _field(intent_id, "id", intent_id) if not isinstance(intent_id, str) else intent_id
    except stripe.InvalidRequestError as exc:
        logger.warning("Stripe event %s: cannot fetch %s: %s", event_id, object_id, exc)
        return "unknown_object"
    except (stripe.StripeError, PaymentError) as exc:
        raise WebhookRetry(str(exc)) from exc

    payment = None
    if intent_id:
        payment = Payment.objects.filter(provider="stripe", provider_reference=intent_id).first()
    if payment is None:
        logger.warning("Stripe event %s (%s): no payment for %s", event_id, event_type, intent_id)
        return "unknown_payment"

    def apply(payment):
        if event_type in INTENT_EVENTS:
            return _apply_intent(payment, fetched, event_type)
        return _apply_refunds(payment, fetched["refunds"])

    return apply_once(
        payment,
        lambda payment: StripeEvent.objects.create(event_id=event_id, event_type=event_type, payment=payment),
        apply,
    )


def sync_payment(payment) -> str:
    """Ask Stripe for ``payment``'s PaymentIntent and book it if it has succeeded: a visitor waits
    on the order's page (Stripe's "processing" return) while the webhook is late. Only
    "succeeded" is acted on here, under the webhook's locks and rules; failures and cancellations
    are left to the webhook. Never raises."""
    if not payment.provider_reference:
        return "unchanged"
    try:
        intent = get_provider("stripe").fetch_intent(payment.provider_reference)
    except (stripe.StripeError, PaymentError) as exc:
        logger.info("Stripe: payment %s not refreshed now: %s", payment.pk, exc)
        return "unreachable"
    if intent.status != "succeeded":
        return "pending"
    try:
        return apply_once(
            payment,
            lambda payment: None,
            lambda payment: _apply_intent(payment, intent, "payment_intent.succeeded"),
        )
    except WebhookRetry:
        return "busy"  # the webhook, or the next poll, books it


def apply_once(payment, record, apply) -> str:
    """Every provider's notification, once: in one transaction, lock the order and then the
    payment, ``record`` the notification (a row under a unique constraint: a concurrent delivery
    of the same one gets "duplicate"), then ``apply(payment)`` (which changes state through
    ``order_state`` only). A lock that cannot be had stores nothing and raises ``WebhookRetry``
    (the view answers so that the provider delivers again).

    Order first, as ``order_state``, the refunds and cancellations take them (locking.lock_payment):
    a notification taking the payment first could deadlock with a visitor cancelling the order."""
    try:
        with transaction.atomic():
            lock_rows(Order, [payment.order_id])
            payment = lock_rows(Payment, [payment.pk])[payment.pk]
            try:
                with transaction.atomic():
                    record(payment)
            except IntegrityError:
                return "duplicate"  # a concurrent delivery of the same notification got there first
            return apply(payment)
    except InventoryBusy as exc:
        raise WebhookRetry("payment is locked") from exc
    except OperationalError as exc:
        # SQLite: "database is locked" past the busy timeout; PostgreSQL: a lock timeout.
        logger.warning("Payment %s: database busy: %s", payment.pk, exc)
        raise WebhookRetry("database busy") from exc


def _fetch_charge(charge_id):
    stripe_client = client()
    charge = stripe_client.v1.charges.retrieve(charge_id)
    refunds = stripe_client.v1.refunds.list({"charge": charge.id, "limit": 100}).data
    return {"charge": charge, "refunds": refunds}


def _apply_intent(payment, intent, event_type) -> str:
    status = intent.status
    if status == "succeeded":
        if payment.status in SETTLED_STATUSES:
            return "already_paid"
        amount = _field(intent, "amount_received") or intent.amount
        # "paid", "mismatch" (flagged for staff), "refunding" (too late: sold out)...
        return order_state.payment_succeeded(
            payment, amount_fen=amount, currency=str(intent.currency).upper(), provider_reference=intent.id
        )
    if payment.status in SETTLED_STATUSES:
        # A late "failed"/"canceled" never undoes "paid" (Stripe says succeeded anyway if it is).
        return "already_paid"
    if status == "canceled":
        if payment.status == "canceled":
            return "already_canceled"
        order_state.payment_canceled(payment)
        return "canceled"
    if status == "requires_payment_method" and event_type == "payment_intent.payment_failed":
        if payment.status == "failed":
            return "already_failed"
        error = _field(intent, "last_payment_error")
        order_state.payment_failed(payment, reason=str(_field(error, "message", "") or "")[:500])
        return "failed"
    # processing, requires_action...: the browser is still at it; a later event will say.
    return "pending"


def _apply_refunds(payment, stripe_refunds) -> str:
    known = set(payment.refunds.exclude(provider_reference="").values_list("provider_reference", flat=True))
    recorded = 0
    for refund in stripe_refunds:
        if refund.id in known or _field(refund, "status") not in ("succeeded", "pending"):
            continue
        if refund.amount > refundable_fen(payment):
            logger.error("Stripe refund %s exceeds what is left of payment %s", refund.id, payment.pk)
            continue
        # One of ours (a cancellation's, or staff's part refund) whose "charge.refunded" came
        # before we booked it: book it as ours, so a part refund leaves the order as it is. A
        # refund made in Stripe's dashboard carries no payment id and is flagged for staff.
        metadata = _field(refund, "metadata")
        ours = str(_field(metadata, "payment_id", "") or "") == str(payment.pk)
        refunds.refund_recorded(
            payment,
            amount_fen=refund.amount,
            provider_reference=refund.id,
            reason=str(_field(metadata, "reason", "") or "") if ours else "",
            keep_order=ours,
        )
        payment.refresh_from_db()
        recorded += 1
    return "refunded" if recorded else "already_refunded"
