"""The organiser's cancellation: staff call off what was sold on some inventory rows (a tour slot,
an event's ticket types), whatever kind they are. The core knows the rows only by kind and id.

``call_off(kind, object_ids, reason=..., by_user=...)``:

1. Closes the rows to new claims. Under the lock ``reservations.reserve`` takes on them, each row is
   marked by its app (``Inventory.call_off``); ``reserve`` refuses a called-off row from then on
   (``CalledOff``). This commits on its own: a checkout that held the lock first has its order in
   the database before step 2 looks, and none can come after.
2. Order by order, in primary-key order, each under its own lock and transaction: the lines sold
   on those rows are cancelled (an order with other lines stands for them; an order left with no
   line is cancelled), their claims released, their vouchers voided, and 100 % of what was paid
   for them (at most what is still paid) planned for refund, by ``line_cancel.cancel_lines`` (the
   same as a visitor cancelling one line). The visitor is e-mailed, in the order's language, once
   that commits. An on-site payment not yet collected drops by their price.
3. After each order's commit the refunds go to the providers (Stripe's Refunds API; an on-site
   payment is recorded as paid back by staff); a refund the provider refuses is flagged for staff.

Stays are called off by nights: ``nights=(first night, day after the last)`` closes those nights
of the room types (``Inventory.close_nights``: the homestay's own closures, which availability and
the calendar read, each naming the ``CallOff`` so that only staff can reopen it, ``record_reopened``)
and cancels every stay with a night among them. Whoever provides the rows (the host) is e-mailed
after the commits with the nights, the reason and the stays cancelled; a run that closed nothing
new and cancelled nothing tells nobody.

Each call-off is kept (``CallOff``): what, by whom, when, why, the lines it cancelled and, per
payment, the refund and how it went (``CallOffRefund``: refunded through the provider, failed, or
paid on site and to be handed back), for the report; ``hand_back`` records staff paying back by
hand.

Running it again changes nothing: only lines not yet cancelled are touched, so nothing is released
or refunded twice (and the same call-off record is added to). Pending orders are cancelled the
same way; a payment that still arrives for a called-off line is refunded by
``order_state.payment_succeeded``.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from town.page_cache import bump_stock

from . import notifications
from .exceptions import InventoryBusy, OrderStateError
from .inventory import get_inventory
from .line_cancel import CancelPlan, cancel_lines
from .line_cancel import plan as plan_refund
from .locking import lock_rows
from .models import (
    BY_HAND,
    CallOff,
    CallOffRefund,
    CallOffRefundStatus,
    Order,
    OrderLine,
    Payment,
    Reservation,
)
from .models.orders import DEFAULT_CURRENCY, OPEN_STATUSES
from .order_state import _stop_payments
from .payments import get_provider
from .payments.exceptions import UnknownProvider
from .refunds import refund_payment

logger = logging.getLogger(__name__)


@dataclass
class CallOffSummary:
    """What calling off touches (or touched): orders, lines, people, places and the money."""

    orders: int = 0
    orders_cancelled: int = 0  # left with no line standing
    lines: int = 0
    guests: int = 0
    places: int = 0  # the capacity given back (seats, pitches, tickets)
    unpaid_orders: int = 0  # nothing paid for those lines: nothing to refund
    refund_by_provider: Counter = field(default_factory=Counter)  # {provider name: fen}
    currency: str = DEFAULT_CURRENCY

    @property
    def refund_fen(self) -> int:
        return sum(self.refund_by_provider.values())

    def add(self, plan: "CancelPlan"):
        self.orders += 1
        self.orders_cancelled += 0 if plan.order_goes_on else 1
        self.lines += len(plan.lines)
        self.guests += sum(line.guests for line in plan.lines)
        self.places += sum(line.quantity for line in plan.lines)
        self.unpaid_orders += 0 if plan.refund_fen else 1
        for payment, share in plan.refunds:
            self.refund_by_provider[payment.provider] += share
        self.currency = plan.order.currency


@dataclass
class CallOffResult:
    summary: CallOffSummary
    refunded_fen: int = 0  # booked refunds
    failed_fen: int = 0  # the provider would not refund: flagged for staff to pay back by hand
    busy: list = field(default_factory=list)  # references of orders locked elsewhere: run again
    record: CallOff | None = None


def affected_lines(kind, object_ids, nights=None):
    """Lines still standing on these rows (for stays, with a night in ``nights`` = [first night,
    end)), of orders still open: found by their claims (whatever id the line itself names) or by
    their own kind and id."""
    ids = sorted({int(pk) for pk in object_ids})
    claimed = Reservation.objects.filter(kind=kind, object_id__in=ids, order_line__isnull=False)
    own = Q(kind=kind, object_id__in=ids)
    if nights is not None:
        start, end = nights
        claimed = claimed.filter(start_date__lt=end, end_date__gt=start)
        own &= Q(start_date__lt=end, end_date__gt=start)
    return OrderLine.objects.filter(
        Q(pk__in=claimed.values("order_line_id")) | own,
        order__status__in=OPEN_STATUSES,
        cancelled_at__isnull=True,
    ).order_by("order_id", "pk")


def preview(kind, object_ids, nights=None) -> CallOffSummary:
    """What ``call_off`` would do now, read without locks, in three queries whatever the number of
    orders: staff see it before they confirm."""
    lines_by_order = defaultdict(list)
    for line in affected_lines(kind, object_ids, nights).select_related("order"):
        lines_by_order[line.order_id].append(line)
    payments = defaultdict(list)
    for payment in Payment.objects.filter(order_id__in=list(lines_by_order)).order_by("-created_at", "-pk"):
        payments[payment.order_id].append(payment)
    standing = defaultdict(set)
    rows = OrderLine.objects.filter(order_id__in=list(lines_by_order), cancelled_at__isnull=True)
    for order_id, pk in rows.values_list("order_id", "pk").order_by():
        standing[order_id].add(pk)
    summary = CallOffSummary()
    for order_id, lines in sorted(lines_by_order.items()):
        goes_on = bool(standing[order_id] - {line.pk for line in lines})
        summary.add(_plan(lines[0].order, lines, payments[order_id], order_goes_on=goes_on))
    return summary


def preview_lines(kind, object_ids, nights=None) -> list:
    """The lines ``call_off`` would cancel now, with their orders, for staff to read (two queries)."""
    return list(affected_lines(kind, object_ids, nights).select_related("order"))


def call_off(kind, object_ids, *, reason, by_user, now=None, nights=None, title="") -> CallOffResult:
    """Cancel, release, void, refund and tell, for every line sold on these rows (see the module);
    for stays, on the nights ``nights`` = (first night, day after the last)."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise OrderStateError(_("Please give a reason for cancelling."), code="reason_required")
    inventory = get_inventory(kind)
    ids = sorted({int(pk) for pk in object_ids})
    now = now or timezone.now()
    if nights is not None:
        start, end = nights
        if end <= start:
            raise OrderStateError(_("The last night must be on or after the first night."), code="bad_nights")

    closed_any = False
    with transaction.atomic():
        locked = lock_rows(inventory.model, ids)
        # Made with the closures, so each closure names the call-off that holds it.
        record = _record(kind, ids, nights, reason=reason, by_user=by_user, title=title)
        for obj in locked.values():
            if nights is not None:
                closed_any |= bool(
                    inventory.close_nights(obj, *nights, reason=reason, by_user=by_user, call_off=record)
                )
            elif not inventory.is_called_off(obj):
                inventory.call_off(obj, reason=reason, by_user=by_user)
        bump_stock(kind, ids)

    result = CallOffResult(CallOffSummary(), record=record)
    cancelled_ids = []
    order_ids = sorted(set(affected_lines(kind, ids, nights).values_list("order_id", flat=True)))
    for order_id in order_ids:
        try:
            plan, stopped, rows = _call_off_order(
                order_id, kind, ids, nights, record=record, reason=reason, by_user=by_user, now=now
            )
        except (InventoryBusy, OperationalError) as exc:
            # Locked elsewhere past the timeout (or chosen as a deadlock's victim): this order
            # is untouched and a second run finishes it.
            logger.warning("Calling off %s: order %s is busy (%s)", kind, order_id, exc)
            result.busy.append(Order.objects.filter(pk=order_id).values_list("reference", flat=True).first())
            continue
        if plan is None:
            continue
        result.summary.add(plan)
        cancelled_ids += [line.pk for line in plan.lines]
        _stop_payments(stopped)
        with translation.override(plan.order.language or settings.LANGUAGE_CODE):
            # The visitor reads it in their refund e-mail.
            refund_reason = _("Cancelled by the organiser: %(reason)s") % {"reason": reason}
        refunded, failed = _make_refunds(rows, reason=refund_reason, by_user=by_user)
        result.refunded_fen += refunded
        result.failed_fen += failed
    if nights is not None and (closed_any or cancelled_ids):
        # Whoever provides the rows (the host) is told; a call-off that changed nothing tells nobody.
        notifications.nights_closed(record, cancelled_ids)
    logger.info(
        "%s %s %s called off by %s: %s orders, %s fen refunded, %s fen failed, busy: %s",
        kind,
        ids,
        nights or "",
        getattr(by_user, "email", "?"),
        result.summary.orders,
        result.refunded_fen,
        result.failed_fen,
        result.busy,
    )
    return result


def record_reopened(call_off_id, *, by_user, now=None) -> None:
    """Staff reopened nights a call-off closed (the kind removed its closure): who and when."""
    CallOff.objects.filter(pk=call_off_id).update(
        reopened_by=by_user if getattr(by_user, "pk", None) else None, reopened_at=now or timezone.now()
    )


def _key(kind, ids, nights) -> str:
    key = f"{kind}:{','.join(str(pk) for pk in ids)}"
    if nights is not None:
        key += f":{nights[0].isoformat()}:{nights[1].isoformat()}"
    return key[:255]


def _record(kind, ids, nights, *, reason, by_user, title) -> CallOff:
    """The call-off's row: the first run makes it, a second run of the same thing finds it."""
    key = _key(kind, ids, nights)
    found = CallOff.objects.filter(key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CallOff.objects.create(
                key=key,
                kind=kind,
                object_ids=ids,
                first_night=nights[0] if nights else None,
                end_date=nights[1] if nights else None,
                title=(title or key)[:255],
                reason=reason,
                created_by=by_user if getattr(by_user, "pk", None) else None,
            )
    except IntegrityError:  # the same call-off sent twice at once: the other made it
        return CallOff.objects.get(key=key)


def _call_off_order(order_id, kind, ids, nights, *, record, reason, by_user, now):
    """One order, under its lock: returns (plan, payments to stop, refund rows) or (None, [], [])
    if nothing is left. The lines and the refunds planned are recorded in the same transaction."""
    with transaction.atomic():
        order = lock_rows(Order, [order_id]).get(order_id)
        if order is None or order.status not in OPEN_STATUSES:
            return None, [], []
        lines = list(affected_lines(kind, ids, nights).filter(order=order))
        if not lines:
            return None, [], []
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        due = sum(line.total_fen for line in lines)  # 100 % of their price, at most what is paid
        plan = cancel_lines(order, lines, payments, refund_fen=due, reason=reason, by_user=by_user, now=now)
        record.lines.add(*lines)
        rows = CallOffRefund.objects.bulk_create(
            CallOffRefund(
                call_off=record, order=order, payment=payment, provider=payment.provider, amount_fen=share
            )
            for payment, share in plan.refunds
        )
        notifications.called_off(order, [line.pk for line in lines], plan.refund_fen)
    return plan, plan.stopped, rows


def _make_refunds(rows, *, reason, by_user) -> tuple[int, int]:
    """Each planned refund through its payment's provider, outside any transaction, its outcome
    kept on its row: refunded online; paid on site, so booked and to be handed back by staff; or
    refused (past the provider's refund window, or refused outright), to be paid back by hand.
    Returns (refunded, failed) in fen."""
    refunded = failed = 0
    for row in rows:
        failures = []
        refund = refund_payment(
            row.payment_id,
            row.amount_fen,
            reason=reason,
            by_user_pk=getattr(by_user, "pk", None),
            keep_order=True,
            on_failure=failures.append,
        )
        if refund is None:
            failed += row.amount_fen
            row.status = CallOffRefundStatus.FAILED
            # Kept in the town's language, whoever called it off.
            with translation.override(settings.LANGUAGE_CODE):
                failure = failures[0] if failures else _("Nothing was left to refund on this payment.")
                row.failure = str(failure)[:500]
        else:
            refunded += refund.amount_fen
            row.refund = refund
            row.status = (
                CallOffRefundStatus.REFUNDED if _online(row.provider) else CallOffRefundStatus.TO_HAND_BACK
            )
        row.save(update_fields=["status", "failure", "refund"])
    return refunded, failed


def _online(provider_name) -> bool:
    try:
        return get_provider(provider_name).online
    except UnknownProvider:
        return False


def hand_back(row_id, *, by_user, now=None) -> CallOffRefund:
    """Staff paid back by hand what a call-off could not refund (or what was paid on site): who and
    when are recorded; a refund the provider refused is booked as paid out by staff. Once: a second
    click finds it done and changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        row = CallOffRefund.objects.select_for_update().filter(pk=row_id).first()
        if row is None:
            raise OrderStateError(_("This refund does not exist."), code="not_found")
        if row.status == CallOffRefundStatus.HANDED_BACK:
            return row
        if row.status not in BY_HAND:
            raise OrderStateError(
                _("This refund was made through the provider: nothing to pay back by hand."),
                code="not_by_hand",
            )
        if row.status == CallOffRefundStatus.FAILED:
            refund = refund_payment(
                row.payment_id,
                row.amount_fen,
                reason=row.call_off.reason,
                by_user_pk=getattr(by_user, "pk", None),
                manual=True,
                keep_order=True,
            )
            row.refund = refund or row.refund
        row.status = CallOffRefundStatus.HANDED_BACK
        row.handed_back_by = by_user if getattr(by_user, "pk", None) else None
        row.handed_back_at = now
        row.save(update_fields=["status", "refund", "handed_back_by", "handed_back_at"])
    return row


def _plan(order, lines, payments, *, order_goes_on) -> CancelPlan:
    """100 % of the lines' price, at most what is still paid, over the payments newest first."""
    return plan_refund(
        order, lines, payments, refund_fen=sum(line.total_fen for line in lines), order_goes_on=order_goes_on
    )
