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
  transaction); ``refund_recorded`` then books them, once per provider reference.
* Staff may refund part of what was paid without cancelling (``refund_part``): capped at what is
  left paid, the order keeps its state, the payment becomes partially refunded or refunded; the
  refund form's token is recorded under the order's lock, so one form refunds once.
* Online orders still unpaid past their holds and a grace period are cancelled
  (``cancel_unpaid_orders``, "not paid in time"); their PaymentIntents are cancelled after commit.
* E-mails leave through ``orders.notifications`` on commit, each at most once.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations
from .exceptions import ReservationError
from .models import Order, OrderLine, OrderStatus, Payment, PaymentStatus, Refund, Reservation, Voucher
from .models.orders import MONEY_IN, REFERENCE_ALPHABET
from .models.refund_requests import RefundRequest
from .payments import get_provider, refundable_fen
from .payments.base import online_provider_names
from .payments.exceptions import PaymentError
from .policies import refund_for_lines

logger = logging.getLogger(__name__)

OPEN = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PAID)
REFERENCE_ATTEMPTS = 8


class OrderStateError(Exception):
    """A transition that is not allowed now; ``message`` can be shown as is."""

    code = "order_state"

    def __init__(self, message, *, code=None):
        self.message = message
        if code:
            self.code = code
        super().__init__(str(message))


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
        for placed in lines:
            snap = placed.snapshot
            order_line = OrderLine.objects.create(
                order=order,
                kind=placed.kind,
                object_id=placed.object_id,
                title=snap.title[:255],
                item_name=(snap.item_name or "")[:255],
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
            )
            Voucher.objects.create(order_line=order_line)
            ids = [r.pk for r in placed.reservations]
            Reservation.objects.filter(pk__in=ids).update(order_line=order_line)
            reservation_ids.extend(ids)
        if total > 0:
            Payment.objects.create(order=order, provider=provider.name, amount_fen=total, currency=currency)
        if total == 0 or not provider.online:
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


def _lock(payment):
    # Order first, then its payment: the same order as cancel_order, so the two never deadlock.
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    return payment, order


def _flag(order, note):
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    order.needs_attention = True
    order.staff_note = (order.staff_note + "\n" if order.staff_note else "") + f"[{stamp}] {note}"
    order.save(update_fields=["needs_attention", "staff_note", "updated_at"])


def _reservation_ids(order):
    # Lines the organiser called off gave their claims back already (organiser_cancel).
    standing = Reservation.objects.filter(order_line__order=order, order_line__cancelled_at__isnull=True)
    return list(standing.values_list("pk", flat=True))


def payment_succeeded(payment, *, amount_fen, currency, provider_reference=None, now=None) -> str:
    """The provider (or staff, on site) reports the money in. Returns what happened:
    "paid", "duplicate", "mismatch", "refunding" (arrived too late or for a cancelled order)."""
    with transaction.atomic():
        payment, order = _lock(payment)
        if payment.status in MONEY_IN:
            return "duplicate"
        if amount_fen != payment.amount_fen or (currency or "").upper() != payment.currency.upper():
            _flag(
                order,
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

        if order.status not in OPEN and order.status != OrderStatus.COMPLETED:
            _flag(order, f"Payment {payment.pk} arrived for a {order.status} order: refunded automatically.")
            _refund_after_commit(payment, refundable_fen(payment), _("Order already cancelled"))
            return "refunding"
        try:
            with transaction.atomic():
                reservations.confirm(_reservation_ids(order), now=now)
        except ReservationError:
            reservations.cancel(_reservation_ids(order))
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = timezone.now()
            order.cancel_reason = str(_("Sold out while the payment was on its way; refunded in full."))
            order.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
            _flag(order, "Payment arrived after the holds expired and the capacity was gone: refunded.")
            notifications.sold_out_refund(order)
            _refund_after_commit(payment, refundable_fen(payment), _("Sold out before the payment arrived"))
            return "refunding"
        was_confirmed = order.status == OrderStatus.CONFIRMED
        if order.status in (OrderStatus.PENDING, OrderStatus.CONFIRMED):
            order.status = OrderStatus.PAID
            order.save(update_fields=["status", "updated_at"])
        if not was_confirmed:
            notifications.order_confirmed(order)
        _refund_called_off_lines(order, payment)
        return "paid"


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
        payment, order = _lock(payment)
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
        payment, order = _lock(payment)
        if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            return False
        payment.status = PaymentStatus.CANCELED
        payment.save(update_fields=["status", "updated_at"])
        others_paid = order.payments.exclude(pk=payment.pk).filter(status__in=MONEY_IN).exists()
        if order.status == OrderStatus.PENDING and not others_paid:
            reservations.cancel(_reservation_ids(order))
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


# --- refunds ----------------------------------------------------------------------------------


def refund_recorded(
    payment, *, amount_fen, provider_reference, reason="", by_user=None, manual=False, keep_order=False
) -> Refund | None:
    """Book a refund that the provider (or staff, by hand) has made. Once per provider reference.

    ``keep_order``: staff gave part of the money back on purpose (``refund_part``); an open order
    stays as it is. Without it, a refund of an open order came from elsewhere (the provider's
    dashboard) and is flagged for staff.
    """
    with transaction.atomic():
        payment, order = _lock(payment)
        if provider_reference and Refund.objects.filter(provider_reference=provider_reference).exists():
            return None
        amount = min(int(amount_fen), refundable_fen(payment))
        if amount <= 0:
            if amount_fen:
                _flag(order, f"A refund of {amount_fen} fen on payment {payment.pk} exceeds what was paid.")
            return None
        refund = Refund.objects.create(
            payment=payment,
            amount_fen=amount,
            reason=str(reason or ""),
            provider_reference=provider_reference or "",
            created_by=by_user if getattr(by_user, "pk", None) else None,
            manual=manual,
        )
        payment.refunded_fen += amount
        payment.status = (
            PaymentStatus.REFUNDED
            if payment.refunded_fen >= payment.amount_fen
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        payment.save(update_fields=["refunded_fen", "status", "updated_at"])
        paid = order.payments.filter(status__in=MONEY_IN)
        fully_refunded = all(p.refunded_fen >= p.amount_fen for p in paid)
        if order.status == OrderStatus.CANCELLED and fully_refunded:
            order.status = OrderStatus.REFUNDED
            order.save(update_fields=["status", "updated_at"])
        elif not keep_order and (order.status in OPEN or order.status == OrderStatus.COMPLETED):
            # Refunded outside a cancellation (e.g. in the provider's dashboard).
            if fully_refunded and order.status != OrderStatus.COMPLETED:
                reservations.cancel(_reservation_ids(order))
                order.status = OrderStatus.REFUNDED
                order.cancelled_at = timezone.now()
                order.save(update_fields=["status", "cancelled_at", "updated_at"])
            _flag(order, f"Refund of {amount} fen on payment {payment.pk} made outside a cancellation.")
        notifications.refund_issued(refund)
        return refund


def _refund_after_commit(payment, amount_fen, reason, *, by_user=None):
    if amount_fen <= 0:
        return
    payment_pk, user_pk = payment.pk, getattr(by_user, "pk", None)
    transaction.on_commit(lambda: refund_payment(payment_pk, amount_fen, reason=reason, by_user_pk=user_pk))


def refund_payment(
    payment_pk, amount_fen, *, reason="", by_user_pk=None, manual=False, keep_order=False
) -> Refund | None:
    """Give money back through the provider (outside any transaction), then record it.

    Providers that cannot refund online (a method's window has passed) leave a flag for staff to
    pay it out by hand and record it (``manual=True``: staff paid it out of band, nothing goes
    through the provider) from the admin.
    """
    from django.contrib.auth import get_user_model

    payment = Payment.objects.select_related("order").get(pk=payment_pk)
    by_user = get_user_model().objects.filter(pk=by_user_pk).first() if by_user_pk else None
    amount = min(amount_fen, refundable_fen(payment))
    if amount <= 0:
        return None
    provider = get_provider(payment.provider)
    try:
        if manual:
            reference = provider.refund_manually(payment, amount, reason=str(reason))
        else:
            if not provider.can_refund_online(payment):
                raise PaymentError(_("This payment can no longer be refunded online."))
            reference = provider.refund(payment, amount, reason=str(reason))
    except PaymentError as exc:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            _flag(
                order,
                f"Refund of {amount} fen on payment {payment.pk} failed ({exc.message}): pay it out by hand.",
            )
        return None
    refund = refund_recorded(
        payment,
        amount_fen=amount,
        provider_reference=reference,
        reason=reason,
        by_user=by_user,
        manual=manual or not provider.online,
        keep_order=keep_order,
    )
    if refund is None and reference:
        # Booked already (the provider's webhook came first, or the same refund was asked for
        # twice): the money went back, so it must not be reported as failed.
        refund = Refund.objects.filter(provider_reference=reference).first()
    return refund


@dataclass
class PartRefundResult:
    order: Order
    refunds: list  # the Refund rows booked
    failed_fen: int = 0  # what the provider would not refund: flagged for staff to pay by hand
    # The same form (token) was sent before: that request, and nothing refunded this time.
    repeated: RefundRequest | None = None

    @property
    def refunded_fen(self) -> int:
        return sum(refund.amount_fen for refund in self.refunds)


def refund_part(order, amount_fen, *, reason, by_user, manual=False, token=None) -> PartRefundResult:
    """Staff give back ``amount_fen`` of what was paid without cancelling the order.

    At most what is left paid (``paid_left_fen``); through the provider (Stripe's Refunds API),
    or recorded for on-site payments and for money staff paid out by hand (``manual``). The
    order keeps its state (a cancelled order that ends fully refunded becomes "refunded"); each
    payment becomes partially refunded or refunded, and the visitor is e-mailed per refund.
    Checked and planned under the order's lock; the provider is called after that transaction,
    never inside it. ``token`` (the refund form's): a request with a token already used refunds
    nothing and returns ``repeated``, so a form sent twice, even at the same instant, refunds once.
    """
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise OrderStateError(_("A refund must be a positive amount."), code="bad_amount")
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise OrderStateError(_("Please give a reason for the refund."), code="reason_required")
    token = _clean_refund_token(token)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        # Under the order's lock: a twin request waits above, then finds the first one's row.
        earlier = RefundRequest.objects.filter(token=token).first() if token else None
        if earlier is not None:
            return PartRefundResult(order, [], repeated=earlier)
        left = paid_left_fen(payments)
        if left <= 0:
            raise OrderStateError(_("Nothing paid on this order is left to refund."), code="nothing_paid")
        if amount_fen > left:
            raise OrderStateError(
                _("A refund cannot exceed what is left paid (%(left)s fen).") % {"left": left},
                code="bad_amount",
            )
        if token:
            try:
                with transaction.atomic():
                    RefundRequest.objects.create(
                        token=token,
                        order=order,
                        amount_fen=amount_fen,
                        reason=reason,
                        manual=manual,
                        created_by=by_user if getattr(by_user, "pk", None) else None,
                    )
            except IntegrityError:  # the token came with another order's form, used there
                return PartRefundResult(order, [], repeated=RefundRequest.objects.get(token=token))
        plan = [(payment.pk, share) for payment, share in refund_shares(payments, amount_fen)]
    refunds, failed = [], 0
    for payment_pk, share in plan:
        refund = refund_payment(
            payment_pk,
            share,
            reason=reason,
            by_user_pk=getattr(by_user, "pk", None),
            manual=manual,
            keep_order=True,
        )
        if refund is None:
            failed += share
        else:
            refunds.append(refund)
    logger.info(
        "Order %s: %s fen refunded by %s (%s), %s fen failed",
        order.reference,
        sum(r.amount_fen for r in refunds),
        getattr(by_user, "email", "?"),
        reason,
        failed,
    )
    return PartRefundResult(order, refunds, failed)


def refund_request_for(token) -> RefundRequest | None:
    """The part refund already asked for with this form token, if any (None for a bad token)."""
    try:
        token = _clean_refund_token(token)
    except OrderStateError:
        return None
    return RefundRequest.objects.select_related("order").filter(token=token).first() if token else None


def _clean_refund_token(token):
    if token in (None, ""):
        return None
    try:
        return token if isinstance(token, uuid.UUID) else uuid.UUID(str(token))
    except ValueError:
        raise OrderStateError(_("This form has expired; please reload the page."), code="bad_token") from None


# --- cancelling and completing ----------------------------------------------------------------


def refund_shares(payments, amount_fen):
    """``amount_fen`` split over the payments that took money, in the order given (newest
    first, where the callers lock them): [(payment, share)], each share at most what is left."""
    shares, rest = [], amount_fen
    for payment in payments:
        share = min(rest, payment.kept_fen)
        if share > 0:
            shares.append((payment, share))
            rest -= share
    return shares


def paid_left_fen(payments) -> int:
    """What could still be refunded: paid minus already refunded, over the payments that took money."""
    return sum(p.kept_fen for p in payments)


@dataclass(frozen=True)
class CancellationQuote:
    """What cancelling now would refund the visitor, and whether the policy still allows it."""

    refund_fen: int
    cancellable: bool
    reason: str
    paid_left_fen: int


def cancellation_quote(order, now=None) -> CancellationQuote:
    """The visitor's refund if they cancelled now: the policy's amount, capped at what is paid."""
    lines = [line for line in order.lines.all() if line.cancelled_at is None]  # called off: refunded
    policy_fen, cancellable, why = refund_for_lines(lines, now)
    paid_left = paid_left_fen(order.payments.all())
    return CancellationQuote(min(policy_fen, paid_left), cancellable, why, paid_left)


def _mark_cancelled(order, payments, *, reason, by_user=None, now=None) -> list:
    """Release the order's capacity, stop its unpaid payments and mark it cancelled (under the
    caller's locks). Returns the pks of the payments stopped."""
    reservations.cancel(_reservation_ids(order))
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
        if order.status not in OPEN:
            raise OrderStateError(_("This order cannot be cancelled any more."))
        if staff and not (reason or "").strip():
            raise OrderStateError(_("Please give a reason for cancelling."), code="reason_required")
        # Lines the organiser called off were refunded in full already.
        lines = [line for line in order.lines.all() if line.cancelled_at is None]
        policy_fen, cancellable, why = refund_for_lines(lines, now)
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
            _refund_after_commit(payment, share, reason or _("Cancelled by the visitor"), by_user=by_user)
        notifications.order_cancelled(order, amount)
        return CancelResult(order, amount)


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
        notifications.order_cancelled(order, 0)
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
