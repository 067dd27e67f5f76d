"""Giving money back: through the payment's provider after the transaction commits, booked once
per provider reference, shared over an order's payments newest first.

* ``refund_payment`` calls the provider outside any transaction, then ``refund_recorded`` books
  the refund under the payment's and order's locks; a provider that cannot refund online (its
  window has passed) leaves a flag for staff to pay it out by hand and record it (``manual``).
* ``refund_part``: staff give back part of what was paid without cancelling the order, capped at
  what is left paid; the refund form's token is recorded under the order's lock, so one form
  refunds once.
* ``refund_shares`` and ``paid_left_fen``: the one split of an amount over the payments that took
  money, used by cancellations (``order_state``), the organiser's call-off and part refunds.

Order states change in ``order_state``; this module changes an order's state only where a
refund ends it (a cancelled order fully refunded becomes "refunded"; money given back outside a
cancellation flags the order for staff).
"""

import logging
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations
from .exceptions import OrderStateError
from .locking import lock_payment
from .models import Order, OrderStatus, Payment, PaymentStatus, Refund
from .models.orders import MONEY_IN, OPEN_STATUSES
from .models.refund_requests import RefundRequest
from .payments import get_provider, refundable_fen
from .payments.exceptions import PaymentError

logger = logging.getLogger(__name__)


def refund_recorded(
    payment, *, amount_fen, provider_reference, reason="", by_user=None, manual=False, keep_order=False
) -> Refund | None:
    """Book a refund that the provider (or staff, by hand) has made. Once per provider reference.

    ``keep_order``: staff gave part of the money back on purpose (``refund_part``); an open order
    stays as it is. Without it, a refund of an open order came from elsewhere (the provider's
    dashboard) and is flagged for staff.
    """
    with transaction.atomic():
        payment, order = lock_payment(payment)
        if provider_reference and Refund.objects.filter(provider_reference=provider_reference).exists():
            return None
        amount = min(int(amount_fen), refundable_fen(payment))
        if amount <= 0:
            if amount_fen:
                order.flag_for_staff(
                    f"A refund of {amount_fen} fen on payment {payment.pk} exceeds what was paid."
                )
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
        elif not keep_order and (order.status in OPEN_STATUSES or order.status == OrderStatus.COMPLETED):
            # Refunded outside a cancellation (e.g. in the provider's dashboard).
            if fully_refunded and order.status != OrderStatus.COMPLETED:
                reservations.cancel(reservations.standing_for(order))
                order.status = OrderStatus.REFUNDED
                order.cancelled_at = timezone.now()
                order.save(update_fields=["status", "cancelled_at", "updated_at"])
            order.flag_for_staff(
                f"Refund of {amount} fen on payment {payment.pk} made outside a cancellation."
            )
        notifications.refund_issued(refund)
        return refund


def refund_after_commit(payment, amount_fen, reason, *, by_user=None):
    if amount_fen <= 0:
        return
    payment_pk, user_pk = payment.pk, getattr(by_user, "pk", None)
    transaction.on_commit(lambda: refund_payment(payment_pk, amount_fen, reason=reason, by_user_pk=user_pk))


def refund_payment(
    payment_pk, amount_fen, *, reason="", by_user_pk=None, manual=False, keep_order=False, on_failure=None
) -> Refund | None:
    """Give money back through the provider (outside any transaction), then record it.

    ``on_failure(message)``: told why the provider would not refund (the call-off report keeps it).

    Providers that cannot refund online (a method's window has passed) leave a flag for staff to
    pay it out by hand and record it (``manual=True``: staff paid it out of band, nothing goes
    through the provider) from the admin.
    """
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
        if on_failure is not None:
            on_failure(exc.message)
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            order.flag_for_staff(
                f"Refund of {amount} fen on payment {payment.pk} failed ({exc.message}): pay it out by hand."
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


def nothing_ever_paid(payments) -> bool:
    """No payment took money, then or since (paid on site later, or never): a cancelled order
    then has "nothing to refund", not "Refund: ¥0.00"."""
    return not any(p.kept_fen or p.refunded_fen for p in payments)


def paid_left_fen(payments) -> int:
    """What could still be refunded: paid minus already refunded, over the payments that took money."""
    return sum(p.kept_fen for p in payments)
