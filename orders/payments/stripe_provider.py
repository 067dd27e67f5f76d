"""Stripe: a PaymentIntent in CNY confirmed in the browser with the Payment Element.

``start`` creates (or, on a second visit, fetches) the PaymentIntent for the payment, with the
payment's idempotency key, so a retried checkout never creates two. The browser confirms it; the
result reaches us only through the signed webhook (``webhooks.py``), never through the redirect.

Refunds go through Stripe's Refunds API, capped by ``base.check_refund_amount``. Stripe refunds
Alipay payments only within 90 days and WeChat Pay within 180 days of the charge: past those
``can_refund_online`` is False and staff use the manual path (``refund_manually``: pay it back out
of band, record it with the returned "manual-..." reference).

No call here may run inside a database transaction (a network call would hold the locks): callers
call after commit.
"""

import logging
from datetime import UTC, datetime, timedelta

import stripe
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, StartResult, StatementLine
from .exceptions import PaymentError, ProviderUnavailable, StatementUnavailable
from .statements import day_bounds

logger = logging.getLogger(__name__)

# Stripe refuses refunds of these methods after this long (Stripe's documentation of Alipay and WeChat Pay).
REFUND_WINDOWS = {"alipay": timedelta(days=90), "wechat_pay": timedelta(days=180)}
DEFAULT_PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]
REFUNDABLE_STATUSES = {"succeeded", "partially_refunded"}
NEEDS_ACTION_STATUSES = {"requires_payment_method", "requires_action", "requires_confirmation"}


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ProviderUnavailable()
    base = getattr(settings, "STRIPE_API_BASE", "") or None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=2,  # safe: POSTs carry idempotency keys
    )


def refund_window_open(method_type: str, paid_at: datetime, now: datetime | None = None) -> bool:
    """Can Stripe still refund a payment made with ``method_type`` at ``paid_at``?"""
    window = REFUND_WINDOWS.get(method_type)
    if window is None:
        return True
    return (now or timezone.now()) - paid_at < window


def _field(obj, name, default=None):
    """Read a field of a Stripe object or a plain dict (stripe 16 objects are not dicts)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


class StripeProvider(PaymentProvider):
    name = "stripe"
    label = _("Card, Alipay or WeChat Pay (Stripe)")
    online = True
    pay_view = "payments_stripe_pay"

    def is_enabled(self, order=None) -> bool:
        return bool(settings.STRIPE_SECRET_KEY)

    def payment_method_types(self) -> list[str]:
        return list(getattr(settings, "STRIPE_PAYMENT_METHOD_TYPES", DEFAULT_PAYMENT_METHOD_TYPES))

    def start(self, payment) -> StartResult:
        try:
            if payment.provider_reference:
                intent = client().v1.payment_intents.retrieve(payment.provider_reference)
            else:
                intent = client().v1.payment_intents.create(
                    {
                        "amount": payment.amount_fen,
                        "currency": payment.currency.lower(),
                        "payment_method_types": self.payment_method_types(),
                        "metadata": {
                            "order_ref": payment.order.reference,
                            "payment_id": str(payment.pk),
                        },
                    },
                    {"idempotency_key": f"pi-{payment.idempotency_key}"},
                )
        except stripe.StripeError as exc:
            logger.warning("Stripe: cannot start payment %s: %s", payment.pk, exc)
            raise ProviderUnavailable() from exc
        if not payment.provider_reference:
            # Only the reference, not the state: the state changes through order_state alone.
            type(payment)._default_manager.filter(pk=payment.pk, provider_reference="").update(
                provider_reference=intent.id
            )
            payment.provider_reference = intent.id
        return StartResult(
            client_secret=intent.client_secret,
            needs_action=intent.status in NEEDS_ACTION_STATUSES,
        )

    def refresh(self, payment) -> None:
        from .webhooks import sync_payment  # the webhook module builds on this one

        sync_payment(payment)

    def cancel(self, payment) -> bool:
        """Cancel the PaymentIntent so the visitor can no longer pay an order we gave up on.

        An intent that already succeeded (or cannot be reached) stays as it is; if money does come
        in for a cancelled order, the webhook refunds it (``order_state.payment_succeeded``).
        """
        if not payment.provider_reference:
            return True
        try:
            intent = client().v1.payment_intents.cancel(payment.provider_reference)
        except (stripe.StripeError, ProviderUnavailable) as exc:
            logger.warning(
                "Stripe: cannot cancel %s of payment %s: %s", payment.provider_reference, payment.pk, exc
            )
            return False
        return intent.status == "canceled"

    def fetch_intent(self, intent_id: str):
        """The PaymentIntent as Stripe has it now, with its latest charge (for webhooks)."""
        return client().v1.payment_intents.retrieve(intent_id, {"expand": ["latest_charge"]})

    def charge_details(self, payment) -> tuple[str, datetime] | None:
        """(payment method type, time charged) of the payment's charge, or None if none yet."""
        if not payment.provider_reference:
            return None
        try:
            intent = self.fetch_intent(payment.provider_reference)
        except stripe.StripeError as exc:
            raise ProviderUnavailable() from exc
        charge = _field(intent, "latest_charge")
        if charge is None or isinstance(charge, str):
            return None
        details = _field(charge, "payment_method_details")
        method_type = _field(details, "type") or "card"
        return method_type, datetime.fromtimestamp(_field(charge, "created"), tz=UTC)

    def can_refund_online(self, payment, *, now=None) -> bool:
        if payment.status not in REFUNDABLE_STATUSES:
            return False
        details = self.charge_details(payment)
        if details is None:
            return False
        method_type, paid_at = details
        return refund_window_open(method_type, paid_at, now)

    def _refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        try:
            refund = client().v1.refunds.create(
                {
                    "payment_intent": payment.provider_reference,
                    "amount": amount_fen,
                    "metadata": {"payment_id": str(payment.pk), "reason": str(reason)[:500]},
                },
                # One refund per (payment, amount already refunded, amount): a double-click or a
                # retry after a time-out cannot refund twice.
                {"idempotency_key": f"re-{payment.idempotency_key}-{payment.refunded_fen}-{amount_fen}"},
            )
        except stripe.InvalidRequestError as exc:
            logger.warning("Stripe refused refund of payment %s: %s", payment.pk, exc)
            raise PaymentError(_("Stripe refused this refund.")) from exc
        except stripe.StripeError as exc:
            raise ProviderUnavailable() from exc
        return refund.id

    # --- the day's balance transactions (对账) -----------------------------------------------------

    def reconciles(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY)

    def statement(self, day) -> list[StatementLine]:
        """Balance transactions created on ``day`` (Beijing time): charges as payments (named by
        their PaymentIntent, as our payments are), refunds by their id. Amounts are the charge's
        and the refund's own (in the payment's currency), not the balance's after conversion.
        Payouts, fees and adjustments are not order money and are left out."""
        start, end = day_bounds(day)
        lines = []
        try:
            page = client().v1.balance_transactions.list(
                {
                    "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())},
                    "limit": 100,
                    "expand": ["data.source"],
                }
            )
            for txn in page.auto_paging_iter():
                source = _field(txn, "source")
                kind = {"charge": "payment", "payment": "payment", "refund": "refund"}.get(
                    _field(txn, "type")
                )
                if kind is None or source is None or isinstance(source, str):
                    continue
                if kind == "payment":
                    reference = _field(source, "payment_intent") or _field(source, "id")
                else:
                    reference = _field(source, "id")
                if not isinstance(reference, str):
                    reference = _field(reference, "id")
                lines.append(
                    StatementLine(
                        kind=kind,
                        reference=reference,
                        transaction_id=_field(txn, "id"),
                        amount_fen=abs(int(_field(source, "amount"))),
                        time=datetime.fromtimestamp(_field(txn, "created"), tz=UTC),
                    )
                )
        except (stripe.StripeError, ProviderUnavailable) as exc:
            raise StatementUnavailable(f"Stripe balance transactions: {exc}") from exc
        return lines
