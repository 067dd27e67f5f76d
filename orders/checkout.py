"""Checkout: the basket becomes an order in one transaction, then the payment starts.

In one transaction: lock the basket row (a second submit of the same basket waits here, then
finds it empty), price every line on the server, hold every line through
``orders.reservations.reserve`` (all or none), create the order through ``order_state.place_order``
and empty the basket. After commit: ``provider.start(payment)`` (for Stripe this creates the
PaymentIntent, an HTTP call that must not run inside the transaction).

A form resubmitted with the same checkout token gets the order it already made. The total the
visitor was shown comes with the checkout (``shown_total``): when the server's total differs, the
checkout stops with ``TotalChanged`` before anything is held or charged (as pretix's
``shown_total``). A free order (total 0) needs no payment method and is confirmed at once.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.services import require_verified_email

from . import reservations, waitlist
from .invoices import InvoiceDetails, clean_invoice
from .lines import LineInvalid, get_line_kind, prepare_lines
from .models import Basket, InvoiceRequest, Order, Payment, PaymentStatus
from .models.orders import DEFAULT_CURRENCY
from .money import format_fen
from .order_state import PlacedLine, place_order
from .payments import StartResult, available_providers, get_provider
from .payments.exceptions import PaymentError

logger = logging.getLogger(__name__)

HOLD_FOR = timedelta(minutes=30)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,22}[0-9]$")


class CheckoutInvalid(LineInvalid):
    """Field errors (contact, payment method, notes): 422."""


class BasketEmpty(Exception):
    message = _("Your basket is empty.")
    code = "basket_empty"


class TotalChanged(Exception):
    """The total priced now is not the one the visitor saw: nothing was held or charged (409)."""

    code = "total_changed"

    def __init__(self, *, shown_fen: int, total_fen: int, currency=DEFAULT_CURRENCY):
        self.shown_fen = shown_fen
        self.total_fen = total_fen
        self.currency = currency
        self.message = _(
            "The total has changed since this page was shown: it was %(shown)s and is now %(total)s. "
            "Nothing was booked or charged; please check the new total and place the order again."
        ) % {"shown": format_fen(shown_fen, currency), "total": format_fen(total_fen, currency)}
        super().__init__(str(self.message))


@dataclass
class CheckoutResult:
    order: Order
    start: StartResult | None = None
    error: str = ""
    existing: bool = False  # the same checkout was submitted before

    @property
    def client_secret(self):
        return self.start.client_secret if self.start else None


def clean_contact(contact_name, contact_phone) -> tuple[str, str]:
    errors = {}
    name = (contact_name or "").strip() if isinstance(contact_name, str) else ""
    phone = (contact_phone or "").strip() if isinstance(contact_phone, str) else ""
    if not name:
        errors["contact_name"] = _("Please give the name of the guest.")
    elif len(name) > 100:
        errors["contact_name"] = _("Please keep the name under 100 characters.")
    digits = re.sub(r"\D", "", phone)
    if not phone:
        errors["contact_phone"] = _("Please give a phone number we can reach you on.")
    elif not PHONE_RE.match(phone) or not 6 <= len(digits) <= 15:
        errors["contact_phone"] = _(
            "Please give a valid phone number (digits, spaces, dashes, an optional +)."
        )
    if errors:
        raise CheckoutInvalid(errors)
    return name, phone


def payment_method_choices(basket_lines=None):
    return [(provider.name, provider.label) for provider in available_providers(None)]


def checkout(
    user,
    basket: Basket,
    *,
    contact_name,
    contact_phone,
    payment_method="on_site",
    notes: dict | None = None,
    token=None,
    shown_total=None,
    language="",
    invoice=None,
    now=None,
) -> CheckoutResult:
    """Turn ``basket`` into an order. Raises ``UnverifiedEmail`` (403), ``CheckoutInvalid`` (422),
    ``BasketEmpty`` (400), ``ReservationError`` (409: sold out, dates unavailable),
    ``TotalChanged`` (409: the total is not ``shown_total``, the fen the visitor saw; None: not
    checked). ``payment_method`` is ignored when the total is 0. ``invoice``: the invoice request
    (``invoices.InvoiceDetails``, or its fields as a dict; ``InvoiceInvalid``, 422, if bad), made
    with the order in its transaction."""
    require_verified_email(user)
    name, phone = clean_contact(contact_name, contact_phone)
    if invoice is not None and not isinstance(invoice, InvoiceDetails):
        invoice = clean_invoice(invoice if isinstance(invoice, dict) else {})
    token = _clean_token(token)
    shown_total = _clean_shown_total(shown_total)
    if token is not None:
        previous = Order.objects.filter(checkout_token=token, user=user).first()
        if previous is not None:
            return CheckoutResult(previous, existing=True)
    providers = {p.name: p for p in available_providers(None)}
    # Whether a method is needed at all is known once the basket is priced, under its lock.
    chosen = providers.get(payment_method) if isinstance(payment_method, str) else None
    if basket is None or basket.user_id != user.pk:
        raise BasketEmpty()
    now = now or timezone.now()

    try:
        with transaction.atomic():
            locked = Basket.objects.select_for_update().get(pk=basket.pk)
            # A double submit waited for the lock above: the first one's order is now committed.
            previous = Order.objects.filter(checkout_token=token, user=user).first() if token else None
            if previous is not None:
                return CheckoutResult(previous, existing=True)
            basket_lines = list(locked.lines.order_by("pk"))
            if not basket_lines:
                raise BasketEmpty()
            placed, claims = [], []
            # Each kind's rows for all its lines at once, so the pricing does not grow with the lines.
            batches = prepare_lines(basket_lines, now=now)
            for line in basket_lines:
                handler, batch = get_line_kind(line.kind), batches[line.kind]
                # Availability is decided by reserve() under the inventory locks, below.
                price = handler.price(line, batch)
                # The names kept for the visitor are in the order's language, whatever is active.
                with translation.override(language or translation.get_language()):
                    snapshot = handler.snapshot(line, batch)
                note = (notes or {}).get(line.pk, (notes or {}).get(str(line.pk), line.note)) or ""
                if not isinstance(note, str) or len(note) > 500:
                    raise CheckoutInvalid(
                        {f"note_{line.pk}": _("Please keep the note under 500 characters.")}
                    )
                line_claims = handler.claims(line)
                claims.extend(line_claims)
                placed.append(
                    PlacedLine(
                        kind=line.kind,
                        object_id=line.object_id,
                        start_date=line.start_date,
                        end_date=line.end_date,
                        guests=line.guests,
                        quantity=line.quantity,
                        options=line.options or {},
                        note=note.strip(),
                        price=price,
                        snapshot=snapshot,
                        reservations=[None] * len(line_claims),
                    )
                )
            total_fen = sum(item.price.total.fen for item in placed)
            currencies = {p.price.total.currency for p in placed}
            if len(currencies) > 1:
                raise CheckoutInvalid({"basket": _("All items of one order must be priced in one currency.")})
            currency = currencies.pop() if currencies else DEFAULT_CURRENCY
            # A waiting-list offer held for this visitor gives its units to this checkout.
            waitlist.take_offers(user, basket_lines, now=now)
            holds = reservations.reserve(claims, holder=user, hold_for=HOLD_FOR, now=now)
            # Checked after reserve(), so a line sold out meanwhile says so rather than "total
            # changed", and before the payment method, which the visitor chose for the total they
            # saw. Raising rolls the holds back: nothing is held or charged.
            if shown_total is not None and shown_total != total_fen:
                raise TotalChanged(shown_fen=shown_total, total_fen=total_fen, currency=currency)
            provider = _provider_for(chosen, placed) if total_fen > 0 else None
            position = 0
            for item in placed:
                count = len(item.reservations)
                item.reservations = holds[position : position + count]
                position += count
            order = place_order(
                user=user,
                lines=placed,
                contact_name=name,
                contact_phone=phone,
                provider=provider,
                currency=currency,
                checkout_token=token,
                language=language,
                hold_expires_at=now + HOLD_FOR,
                now=now,
            )
            if invoice is not None:
                InvoiceRequest.objects.create(order=order, **invoice.as_fields())
            locked.lines.all().delete()
    except IntegrityError:
        # The same token won a race with this request: return the order it made.
        previous = Order.objects.filter(checkout_token=token, user=user).first() if token else None
        if previous is None:
            raise
        return CheckoutResult(previous, existing=True)

    return start_payment(order)


def _provider_for(chosen, placed):
    """The provider of an order with something to pay: the one chosen, if every line takes it."""
    if chosen is None:
        raise CheckoutInvalid({"payment_method": _("Please choose one of the payment methods offered.")})
    way = "online" if chosen.online else "offline"
    for item in placed:
        ways = item.snapshot.payment_ways
        if ways is not None and way not in ways and item.price.total.fen > 0:
            raise CheckoutInvalid(
                {
                    "payment_method": _("%(title)s cannot be paid this way; please choose another method.")
                    % {"title": item.snapshot.title}
                }
            )
    return chosen


def start_payment(order) -> CheckoutResult:
    """Ask the provider to start collecting a pending payment (after commit, never inside one)."""
    payment = order.payments.filter(status=PaymentStatus.PENDING).order_by("-created_at").first()
    if payment is None:
        return CheckoutResult(order)
    try:
        start = get_provider(payment.provider).start(payment)
    except PaymentError as exc:
        logger.warning("Starting payment %s of %s failed: %s", payment.pk, order.reference, exc)
        return CheckoutResult(order, error=str(exc.message))
    return CheckoutResult(order, start=start)


def pending_payment(order) -> Payment | None:
    return order.payments.filter(status=PaymentStatus.PENDING).order_by("-created_at").first()


def _clean_shown_total(value):
    """The total the visitor was shown, in fen: a whole number from 0, or None (not checked)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CheckoutInvalid(
            {"shown_total_fen": _("The total shown must be a whole number of fen; please reload the page.")}
        )
    return value


def _clean_token(token):
    if token in (None, ""):
        return None
    if isinstance(token, uuid.UUID):
        return token
    try:
        return uuid.UUID(str(token))
    except ValueError:
        raise CheckoutInvalid({"token": _("This form has expired; please reload the page.")}) from None
