"""Payment providers behind one small interface, and the registry that finds them.

Orders know only this module: checkout calls ``get_provider(payment.provider).start(payment)``
after its transaction commits, refunds go through ``provider.refund(...)``, and the order's state
changes only through ``orders.order_state`` (called by the providers' webhooks, or by staff for
on-site payments). A provider never changes an order itself.

Adding a provider (a direct Alipay or WeChat Pay contract, say) touches nothing in orders:
subclass ``PaymentProvider``, implement ``start``/``_refund`` (and ``is_enabled`` if it needs keys),
give it its own webhook view that calls ``order_state``, and list its dotted path in the
``PAYMENT_PROVIDERS`` setting. Payment rows store the provider by ``name``, so the name of a
provider must never change once payments use it.

Refunds are capped here for every provider at what was paid minus what was already refunded:
fake and real back ends alike may accept more, so the cap must be ours.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .exceptions import RefundNotAllowed, UnknownProvider

# An order still takes a payment in these states, and a payment in these is still to be paid (a
# failed attempt leaves the provider's order open for another try).
PAYABLE_ORDER_STATUSES = {"pending", "confirmed"}
PAYABLE_PAYMENT_STATUSES = {"pending", "failed"}

DEFAULT_PROVIDERS = [
    "orders.payments.on_site.OnSiteProvider",
    "orders.payments.stripe_provider.StripeProvider",
    "orders.payments.wechatpay_provider.WechatPayProvider",
    "orders.payments.alipay_provider.AlipayProvider",
]


@dataclass(frozen=True)
class StartResult:
    """What the browser needs to go on paying: Stripe's client secret, or nothing for on-site."""

    client_secret: str | None = None
    needs_action: bool = False


@dataclass(frozen=True)
class StatementLine:
    """One transaction on a provider's daily statement, in our terms.

    ``reference`` is what we keep of it: ``statement_reference(payment)`` for a payment, the
    refund's ``provider_reference`` for a refund. ``amount_fen`` is positive either way."""

    kind: str  # "payment" or "refund"
    reference: str
    transaction_id: str
    amount_fen: int
    time: datetime | None = None


class PaymentProvider:
    name: str = ""
    label = ""
    online: bool = False  # True: paid through a service on the web; False: paid in person
    # The URL name of our page where the visitor pays a pending payment (it takes the order's
    # reference), if paying goes through the browser.
    pay_view: str | None = None

    def is_enabled(self, order=None) -> bool:
        """May new orders choose this provider? (Existing payments keep theirs regardless.)"""
        return True

    def start(self, payment) -> StartResult:
        """Begin collecting ``payment``; called after the checkout's transaction has committed."""
        raise NotImplementedError

    def refresh(self, payment) -> None:
        """Ask the provider how ``payment`` stands and book what it says (a visitor is waiting
        on the order's page). Never raises; the default waits for the provider's webhook."""

    def cancel(self, payment) -> bool:
        """Stop collecting a payment the order no longer wants (called after commit). Returns
        whether the provider confirmed it; errors are the provider's to log, never to raise."""
        return True

    # How long after paying the provider takes a refund (None: no limit). A direct Alipay or
    # WeChat Pay provider sets its contract's window; Stripe's depends on the method and is
    # checked against the charge (``StripeProvider.can_refund_online``). Past it, a refund fails
    # and is left to staff to pay back by hand (the call-off report lists it).
    refund_window: timedelta | None = None

    def can_refund_online(self, payment) -> bool:
        """Can the money go back through the provider itself (else staff refund it by hand)?"""
        return False

    def within_refund_window(self, payment, *, now=None) -> bool:
        """Is ``payment`` still inside this provider's refund window (``refund_window``)?"""
        if self.refund_window is None or payment.paid_at is None:
            return True
        return (now or timezone.now()) - payment.paid_at < self.refund_window

    def refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        """Give back ``amount_fen`` of ``payment``; return the provider's reference of the refund.

        Only does the money part: the caller records it with ``refunds.refund_recorded``.
        """
        amount_fen = check_refund_amount(payment, amount_fen)
        if not self.can_refund_online(payment):
            raise RefundNotAllowed(
                _("This payment can no longer be refunded online; record a manual refund instead.")
            )
        return self._refund(payment, amount_fen, reason=reason)

    def refund_manually(self, payment, amount_fen: int, *, reason: str = "") -> str:
        """Staff pay the money out of band (cash, bank transfer); return a local reference."""
        check_refund_amount(payment, amount_fen)
        return manual_reference()

    def _refund(self, payment, amount_fen: int, *, reason: str = "") -> str:
        raise NotImplementedError

    def reconciles(self) -> bool:
        """Does this provider publish a daily statement we can download (keys present)?"""
        return False

    def statement(self, day: date) -> list[StatementLine]:
        """The provider's statement of ``day`` (Asia/Shanghai); ``StatementUnavailable`` if it
        cannot be had."""
        raise NotImplementedError

    def statement_reference(self, payment) -> str:
        """How the statement names ``payment`` (a provider may list our trade number instead)."""
        return payment.provider_reference

    def statement_payments(self, references):
        """Our payments (of any status) that statement lines name by ``references``."""
        from orders.models import Payment  # orders imports payments, not the reverse

        return Payment.objects.filter(provider=self.name, provider_reference__in=list(references))

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


def refundable_fen(payment) -> int:
    return max(0, (payment.amount_fen or 0) - (payment.refunded_fen or 0))


def check_refund_amount(payment, amount_fen) -> int:
    """The cap every refund goes through: a positive whole number of fen, at most paid - refunded."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise RefundNotAllowed(_("A refund must be a positive amount."))
    if amount_fen > refundable_fen(payment):
        raise RefundNotAllowed(
            _("A refund cannot exceed what was paid and not yet refunded (%(left)s fen).")
            % {"left": refundable_fen(payment)}
        )
    return amount_fen


def manual_reference() -> str:
    return f"manual-{uuid.uuid4()}"


@cache
def _load(paths: tuple) -> dict:
    providers = {}
    for path in paths:
        provider = import_string(path)()
        providers[provider.name] = provider
    return providers


def _registry() -> dict:
    return _load(tuple(getattr(settings, "PAYMENT_PROVIDERS", DEFAULT_PROVIDERS)))


def get_provider(name) -> PaymentProvider:
    """The provider called ``name`` (as stored on ``Payment.provider``); ``UnknownProvider`` if none."""
    try:
        return _registry()[name]
    except (KeyError, TypeError):
        raise UnknownProvider() from None


def available_providers(order=None) -> list[PaymentProvider]:
    """Providers a new order may choose, in settings order: on-site always, Stripe when keyed."""
    return [provider for provider in _registry().values() if provider.is_enabled(order)]


def online_provider_names() -> list[str]:
    """Names of every configured provider that is paid through a service on the web."""
    return [name for name, provider in _registry().items() if provider.online]


def waiting_payment(order, payments=None):
    """The online payment ``order`` is waiting for (the newest), or None: what the order's page
    polls for. ``payments``: the order's payments, when already fetched."""
    if order.status not in PAYABLE_ORDER_STATUSES:
        return None
    online = set(online_provider_names())
    payments = order.payments.all() if payments is None else payments
    waiting = [p for p in payments if p.provider in online and p.status in PAYABLE_PAYMENT_STATUSES]
    return max(waiting, key=lambda p: (p.created_at, p.pk), default=None)


def pay_url(payment) -> str | None:
    """Where the visitor goes to pay ``payment`` (its provider's ``pay_view``), or None."""
    try:
        view = get_provider(payment.provider).pay_view
    except UnknownProvider:
        return None
    return reverse(view, args=[payment.order.reference]) if view else None


def reconciling_providers() -> list[PaymentProvider]:
    """Configured providers with a daily statement, in settings order."""
    return [provider for provider in _registry().values() if provider.reconciles()]


def provider_choices(order=None) -> list[tuple[str, str]]:
    return [(provider.name, provider.label) for provider in available_providers(order)]
