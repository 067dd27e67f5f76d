"""The one place an order's (and a payment's) state changes.

States::

    pending ──payment──▶ paid ──▶ completed
       │                  ▲
       │ (on site / free) │ marked paid on site
       └──▶ confirmed ────┘
    pending / confirmed / paid ──cancel──▶ cancelled ──(fully refunded)──▶ refunded

Rules:

* Every function locks the payment and the order (``SELECT ... FOR UPDATE``), so webhooks,
  staff and visitors acting at once are serialised; repeating a call changes nothing.
* A late "failed" or "canceled" never undoes "paid".
* An amount or currency that does not match leaves the order unpaid and flags it for staff.
* A payment arriving after its holds expired confirms the order only if the capacity is still
  there (``orders.reservations.confirm``); otherwise the order is cancelled, the money refunded
  automatically after the transaction commits, and the visitor told. Money arriving for lines
  the organiser called off meanwhile (``organiser_cancel``) is refunded the same way.
* Refunds go to the provider only after the transaction commits (no HTTP call inside a
  transaction), through ``orders.refunds``, which also holds staff's part refunds.
* Online orders still unpaid past their holds and a grace period are cancelled
  (``cancel_unpaid_orders``, "not paid in time"); their PaymentIntents are cancelled after commit.
* E-mails leave through ``orders.notifications`` on commit, each at most once.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations, sellers
from .exceptions import OrderStateError, ReservationError
from .lines import cancellation_terms, describing_kind
from .locking import lock_payment
from .models import Order, OrderLine, OrderStatus, Payment, PaymentStatus, Reservation, Voucher
from .models.orders import MONEY_IN, OPEN_STATUSES, REFERENCE_ALPHABET
from .payments import get_provider, refundable_fen
from .payments.base import online_provider_names
from .policies import refund_for_lines
from .refunds import paid_left_fen, refund_after_commit, refund_payment, refund_shares

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 8


@dataclass
class PlacedLine:
    """One line to put on a new order: what checkout priced, snapshotted and reserved."""

    kind: str
    object_id: int
    start_date: object
    end_date: object
    guests: int
    quantity: int
    note: str
    price: object  # lines.LinePrice
    snapshot: object  # lines.LineSnapshot
    reservations: list
    options: dict = field(default_factory=dict)


@dataclass
class CancelResult:
    order: Order
    refund_fen: int
    # What the visitor had paid and not had back before cancelling: 0 says "nothing to refund".
    paid_fen: int = 0


def new_reference(now=None) -> str:
    year = timezone.localtime(now or timezone.now()).year
    return f"TY-{year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(6))


# --- placing ----------------------------------------------------------------------------------


def place_order(
    *,
    user,
    lines: list[PlacedLine],
    contact_name,
    contact_phone,
    provider,
    currency,
    checkout_token=None,
    language="",
    hold_expires_at=None,
    now=None,
) -> Order:
    """Create the order, its lines (price snapshots), vouchers and payment; link the holds.

    Must run inside the checkout's transaction, after the holds were taken. Free orders and
    orders paid on site are confirmed at once (their holds become confirmed reservations);
    orders paid online stay pending until the provider reports the payment.
    """
    total = sum(line.price.total.fen for line in lines)
    with transaction.atomic():
        order = _create_with_reference(
            user=user,
            currency=currency,
            total_fen=total,
            contact_name=contact_name,
            contact_phone=contact_phone,
            checkout_token=checkout_token,
            language=language or "",
            hold_expires_at=hold_expires_at,
            now=now,
        )
        reservation_ids = []
        # Who is owed each line and on what terms, as they stand now (``orders.sellers``).
        owed = [describing_kind(placed.kind).seller(placed.snapshot) for placed in lines]
        pairs = {(p.kind, getattr(u, "pk", None)) for p, u in zip(lines, owed, strict=True)}
        terms = sellers.terms_for(pairs)
        for placed, seller in zip(lines, owed, strict=True):
            snap = placed.snapshot
            line_terms = terms.get((placed.kind, getattr(seller, "pk", None)), sellers.NO_TERMS)
            order_line = OrderLine.objects.create(
                order=order,
                kind=placed.kind,
                object_id=placed.object_id,
                title=snap.title[:255],
                item_name=(snap.item_name or "")[:255],
                translated_title=(snap.translated_title or "")[:255],
                translated_item_name=(snap.translated_item_name or "")[:255],
                start_date=placed.start_date,
                end_date=placed.end_date,
                nights=placed.price.nights,
                guests=placed.guests,
                quantity=placed.quantity,
                unit_price_fen=placed.price.unit.fen,
                total_fen=placed.price.total.fen,
                breakdown=placed.price.breakdown,
                options=placed.options or {},
                cancellation_policy=snap.cancellation_policy or "",
                starts_at=snap.starts_at,
                note=(placed.note or "")[:500],
                provider_user=snap.provider_user,
                page_id_snapshot=snap.page_id,
                village_id=getattr(snap, "village_id", None),
                seller=seller,
                commission_bp=line_terms.commission_bp,
                seller_supported=line_terms.supported,
            )
            Voucher.objects.create(order_line=order_line)
            ids = [r.pk for r in placed.reservations]
            Reservation.objects.filter(pk__in=ids).update(order_line=order_line)
            reservation_ids.extend(ids)
        # No provider: the order is paid in parts, each payment made when due (``deposits``).
        if total > 0 and provider is not None:
            Payment.objects.create(order=order, provider=provider.name, amount_fen=total, currency=currency)
        if total == 0 or (provider is not None and not provider.online):
            reservations.confirm(reservation_ids, now=now)
            order.status = OrderStatus.CONFIRMED
            order.save(update_fields=["status", "updated_at"])
            notifications.order_confirmed(order)
    return order


def _create_with_reference(now=None, **fields):
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Order.objects.create(reference=new_reference(now), **fields)
        except IntegrityError:
            if (
                fields.get("checkout_token")
                and Order.objects.filter(checkout_token=fields["checkout_token"]).exists()
            ):
                raise
            continue
    raise OrderStateError(_("Could not give the order a reference; please try again."))


# --- payments ---------------------------------------------------------------------------------


def payment_succeeded(payment, *, amount_fen, currency, provider_reference=None, now=None) -> str:
    """The provider (or staff, on site) reports the money in. Returns what happened:
    "paid", "duplicate", "mismatch", "refunding" (arrived too late or for a cancelled order)."""
    with transaction.atomic():
        payment, order = lock_payment(payment)
        if payment.status in MONEY_IN:
            return "duplicate"
        if amount_fen != payment.amount_fen or (currency or "").upper() != payment.currency.upper():
            order.flag_for_staff(
                f"Payment {payment.pk} ({payment.provider}) reported {amount_fen} {currency}, "
                f"expected {payment.amount_fen} {payment.currency}: not marked paid.",
            )
            return "mismatch"
        payment.status = PaymentStatus.SUCCEEDED
        payment.paid_at = timezone.now()
        if provider_reference and not payment.provider_reference:
            payment.provider_reference = provider_reference
        payment.failure_reason = ""
        payment.save(
            update_fields=["status", "paid_at", "provider_reference", "failure_reason", "updated_at"]
        )

        if order.status not in OPEN_STATUSES and order.status != OrderStatus.COMPLETED:
            order.flag_for_staff(
                f"Payment {payment.pk} arrived for a {order.status} order: refunded automatically."
            )
            refund_after_commit(payment, refundable_fen(payment), _("Order already cancelled"))
            return "refunding"
        try:
            with transaction.atomic():
                reservations.confirm(reservations.standing_for(order), now=now)
        except ReservationError:
            reservations.cancel(reservations.standing_for(order))
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = timezone.now()
            order.cancel_reason = str(_("Sold out while the payment was on its way; refunded in full."))
            order.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
            order.flag_for_staff(
                "Payment arrived after the holds expired and the capacity was gone: refunded."
            )
            notifications.sold_out_refund(order)
            refund_after_commit(payment, refundable_fen(payment), _("Sold out before the payment arrived"))
            return "refunding"
        was_confirmed = order.status == OrderStatus.CONFIRMED
        if order.status in (OrderStatus.PENDING, OrderStatus.CONFIRMED):
            # A deposit confirms an order paid in parts; it is paid once the balance is in too.
            order.status = OrderStatus.CONFIRMED if balance_left_fen(order) else OrderStatus.PAID
            order.save(update_fields=["status", "updated_at"])
        if not was_confirmed:
            notifications.order_confirmed(order)
            # Only the first payment of an order can carry money for lines called off while it
            # was on its way: a later one (the difference of a changed stay) pays what it says,
            # and what a policy kept on an earlier change or cancellation stays kept.
            _refund_called_off_lines(order, payment)
        return "paid"


def balance_left_fen(order) -> int:
    """What an order paid in parts (``DepositPlan``) still owes; 0 for any other order."""
    from .models import DepositPlan

    if not DepositPlan.objects.filter(order=order).exists():
        return 0
    return max(0, order.total_fen - paid_left_fen(order.payments.all()))


def _refund_called_off_lines(order, payment):
    """Money paid for lines the organiser called off while it was on its way goes back, in full,
    after the commit; the rest of the order stands (see ``organiser_cancel``)."""
    lines = list(order.lines.all())
    if not any(line.cancelled_at for line in lines):
        return
    owed = sum(line.total_fen for line in lines if line.cancelled_at is None)
    amount = min(paid_left_fen(order.payments.all()) - owed, refundable_fen(payment))
    if amount <= 0:
        return
    logger.info("Order %s: %s fen paid for called-off lines goes back", order.reference, amount)
    with translation.override(order.language or settings.LANGUAGE_CODE):  # for the visitor's e-mail
        reason = str(_("Cancelled by the organiser"))
    payment_pk = payment.pk
    transaction.on_commit(lambda: refund_payment(payment_pk, amount, reason=reason, keep_order=True))


def payment_failed(payment, *, reason="") -> bool:
    """A pending payment failed (the visitor may try again). Never undoes a success."""
    with transaction.atomic():
        payment, order = lock_payment(payment)
        if payment.status != PaymentStatus.PENDING:
            return False
        payment.status = PaymentStatus.FAILED
        payment.failure_reason = (reason or "")[:500]
        payment.save(update_fields=["status", "failure_reason", "updated_at"])
        if order.status == OrderStatus.PENDING:
            notifications.payment_failed(order)
        return True


def payment_canceled(payment) -> bool:
    """The provider gave up on a payment: a pending order loses its holds. Never undoes a success."""
    with transaction.atomic():
        payment, order = lock_payment(payment)
        if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            return False
        payment.status = PaymentStatus.CANCELED
        payment.save(update_fields=["status", "updated_at"])
        others_paid = order.payments.exclude(pk=payment.pk).filter(status__in=MONEY_IN).exists()
        if order.status == OrderStatus.PENDING and not others_paid:
            reservations.cancel(reservations.standing_for(order))
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = timezone.now()
            order.cancel_reason = str(_("The payment was cancelled."))
            order.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        return True


def mark_paid_on_site(order, *, by_user, now=None) -> str:
    """Host or staff took the money in person (at the homestay, the visitor centre or the gate).

    Books the order's on-site payment as paid, with who took it (``Payment.recorded_by``) and when.
    Decided under the order's lock, so a retried or simultaneous second call records nothing and
    returns "duplicate"; otherwise what ``payment_succeeded`` returns ("paid").
    """
    with transaction.atomic():
        # Every change of a payment locks its order first: the payment read below cannot move.
        order = Order.objects.select_for_update().get(pk=order.pk)
        payment = (
            Payment.objects.filter(order=order, provider="on_site")
            .exclude(status=PaymentStatus.CANCELED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if payment is None:
            raise OrderStateError(_("This order has no payment to be made on site."))
        if payment.status in MONEY_IN:
            return "duplicate"
        if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PENDING, OrderStatus.COMPLETED):
            raise OrderStateError(_("A cancelled order cannot be marked paid."))
        result = payment_succeeded(
            payment,
            amount_fen=payment.amount_fen,
            currency=payment.currency,
            provider_reference=f"on_site-{payment.idempotency_key}",
            now=now,
        )
        if result == "paid":
            payment.refresh_from_db()
            payment.recorded_by = by_user if getattr(by_user, "pk", None) else None
            payment.save(update_fields=["recorded_by", "updated_at"])
    logger.info(
        "Order %s marked paid on site by %s: %s", order.reference, getattr(by_user, "email", "?"), result
    )
    return result


# --- cancelling and completing ----------------------------------------------------------------


@dataclass(frozen=True)
class CancellationQuote:
    """What cancelling now would refund the visitor, and whether the policy still allows it."""

    refund_fen: int
    cancellable: bool
    reason: str
    paid_left_fen: int


def cancellation_quote(order, now=None, terms=None) -> CancellationQuote:
    """The visitor's refund if they cancelled now: the policy's amount, capped at what is paid.
    ``terms``: the lines' ``cancellation_terms`` if the caller has them already."""
    lines = [line for line in order.lines.all() if line.cancelled_at is None]  # cancelled: done
    terms = cancellation_terms(lines, now=now) if terms is None else terms
    policy_fen, cancellable, why = refund_for_lines(lines, now, terms)
    paid_left = paid_left_fen(order.payments.all())
    return CancellationQuote(min(policy_fen, paid_left), cancellable, why, paid_left)


def _mark_cancelled(order, payments, *, reason, by_user=None, now=None) -> list:
    """Release the order's capacity, stop its unpaid payments and mark it cancelled (under the
    caller's locks). Returns the pks of the payments stopped."""
    reservations.cancel(reservations.standing_for(order))
    stopped = []
    for payment in payments:
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            payment.status = PaymentStatus.CANCELED
            payment.save(update_fields=["status", "updated_at"])
            stopped.append(payment.pk)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now or timezone.now()
    order.cancelled_by = by_user if getattr(by_user, "pk", None) else None
    order.cancel_reason = (reason or "").strip()
    order.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    return stopped


def cancel_order(order, *, by_user, reason="", staff=False, refund_fen=None, now=None) -> CancelResult:
    """Cancel an open order, release its capacity and refund what the policy (or staff) says.

    Visitors: their own orders only, before the start, refund by the cancellation policy.
    Staff (``staff=True``): any open order, a reason required, the full paid amount refunded
    unless ``refund_fen`` says less.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not staff and order.user_id != getattr(by_user, "pk", None):
            raise OrderStateError(_("This order does not exist."), code="not_found")
        if order.status not in OPEN_STATUSES:
            raise OrderStateError(_("This order cannot be cancelled any more."))
        if staff and not (reason or "").strip():
            raise OrderStateError(_("Please give a reason for cancelling."), code="reason_required")
        # Lines cancelled on their own (by the visitor or the organiser) were settled then.
        lines = [line for line in order.lines.all() if line.cancelled_at is None]
        policy_fen, cancellable, why = refund_for_lines(lines, now, cancellation_terms(lines, now=now))
        if not staff and not cancellable:
            raise OrderStateError(why)
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        paid_left = paid_left_fen(payments)
        if staff and refund_fen is not None:
            if (
                isinstance(refund_fen, bool)
                or not isinstance(refund_fen, int)
                or not 0 <= refund_fen <= paid_left
            ):
                raise OrderStateError(
                    _("The refund must be between 0 and %(n)s fen.") % {"n": paid_left}, code="bad_amount"
                )
            amount = refund_fen
        elif staff:
            amount = paid_left
        else:
            amount = min(policy_fen, paid_left)

        _mark_cancelled(order, payments, reason=reason, by_user=by_user, now=now)
        for payment, share in refund_shares(payments, amount):
            refund_after_commit(payment, share, reason or _("Cancelled by the visitor"), by_user=by_user)
        notifications.order_cancelled(order, amount, paid_left)
        return CancelResult(order, amount, paid_left)


def complete_order(order) -> bool:
    """After the stay (or tour, or event): a confirmed or paid order is done."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PAID):
            return False
        order.status = OrderStatus.COMPLETED
        order.save(update_fields=["status", "updated_at"])
        return True


# --- tidying unpaid online orders -------------------------------------------------------------

DEFAULT_UNPAID_GRACE = timedelta(hours=2)


def unpaid_grace() -> timedelta:
    """How long after its holds expired an unpaid online order waits (a late payment may come)."""
    minutes = getattr(settings, "ORDERS_UNPAID_GRACE_MINUTES", None)
    return DEFAULT_UNPAID_GRACE if minutes is None else timedelta(minutes=int(minutes))


def unpaid_online_orders(*, now=None, grace=None):
    """Pending orders paid online, nothing received, whose holds expired more than ``grace`` ago."""
    now = now or timezone.now()
    grace = unpaid_grace() if grace is None else grace
    online = online_provider_names()
    return (
        Order.objects.filter(
            status=OrderStatus.PENDING,
            hold_expires_at__isnull=False,
            hold_expires_at__lt=now - grace,
            payments__provider__in=online,
        )
        .exclude(payments__status__in=MONEY_IN)
        .distinct()
        .order_by("pk")
    )


def cancel_unpaid(order, *, now=None, grace=None) -> bool:
    """Cancel one unpaid online order whose holds ran out (reason "not paid in time").

    Re-checked under the order's lock, so a payment that arrived meanwhile wins and a second run
    changes nothing. The provider is asked to stop collecting (Stripe: the PaymentIntent is
    cancelled) after the commit; if money still arrives, ``payment_succeeded`` refunds it.
    """
    now = now or timezone.now()
    grace = unpaid_grace() if grace is None else grace
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payments = list(order.payments.select_for_update().order_by("pk"))
        if (
            order.status != OrderStatus.PENDING
            or order.hold_expires_at is None
            or order.hold_expires_at >= now - grace
            or any(p.status in MONEY_IN for p in payments)
        ):
            return False
        to_stop = _mark_cancelled(order, payments, reason=str(_("Not paid in time.")), now=now)
        notifications.order_cancelled(order, 0, 0)
        transaction.on_commit(lambda: _stop_payments(to_stop))
    return True


def _stop_payments(payment_pks):
    for payment in Payment.objects.filter(pk__in=payment_pks).select_related("order"):
        try:
            stopped = get_provider(payment.provider).cancel(payment)
        except Exception:  # a tidy-up must go on with the next order whatever one provider does
            logger.exception("Cancelling payment %s with its provider failed", payment.pk)
            continue
        if not stopped:
            logger.warning(
                "Payment %s of %s is still open with %s", payment.pk, payment.order, payment.provider
            )


def cancel_unpaid_orders(*, now=None, grace=None) -> int:
    """Cancel every unpaid online order past its holds and the grace period; return how many."""
    now = now or timezone.now()
    cancelled = 0
    for order in list(unpaid_online_orders(now=now, grace=grace)):
        try:
            if cancel_unpaid(order, now=now, grace=grace):
                cancelled += 1
        except Exception:  # one stuck order (a lock timeout) must not stop the rest
            logger.exception("Could not cancel unpaid order %s", order.reference)
    return cancelled
