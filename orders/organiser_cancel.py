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

Running it again changes nothing: only lines not yet cancelled are touched, so nothing is released
or refunded twice. Pending orders are cancelled the same way; a payment that still arrives for a
called-off line is refunded by ``order_state.payment_succeeded``.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from town.page_cache import bump_stock

from . import notifications
from .exceptions import InventoryBusy, OrderStateError
from .inventory import get_inventory
from .line_cancel import CancelPlan, cancel_lines, make_refunds
from .line_cancel import plan as plan_refund
from .locking import lock_rows
from .models import Order, OrderLine, Payment, Reservation
from .models.orders import DEFAULT_CURRENCY, OPEN_STATUSES
from .order_state import _stop_payments

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


def affected_lines(kind, object_ids):
    """Lines still standing on these rows, of orders still open: found by their claims (whatever
    id the line itself names) or by their own kind and id."""
    ids = sorted({int(pk) for pk in object_ids})
    claimed = Reservation.objects.filter(kind=kind, object_id__in=ids, order_line__isnull=False)
    return OrderLine.objects.filter(
        Q(pk__in=claimed.values("order_line_id")) | Q(kind=kind, object_id__in=ids),
        order__status__in=OPEN_STATUSES,
        cancelled_at__isnull=True,
    ).order_by("order_id", "pk")


def preview(kind, object_ids) -> CallOffSummary:
    """What ``call_off`` would do now, read without locks, in three queries whatever the number of
    orders: staff see it before they confirm."""
    lines_by_order = defaultdict(list)
    for line in affected_lines(kind, object_ids).select_related("order"):
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


def call_off(kind, object_ids, *, reason, by_user, now=None) -> CallOffResult:
    """Cancel, release, void, refund and tell, for every line sold on these rows (see the module)."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise OrderStateError(_("Please give a reason for cancelling."), code="reason_required")
    inventory = get_inventory(kind)
    ids = sorted({int(pk) for pk in object_ids})
    now = now or timezone.now()

    with transaction.atomic():
        for obj in lock_rows(inventory.model, ids).values():
            if not inventory.is_called_off(obj):
                inventory.call_off(obj, reason=reason, by_user=by_user)
        bump_stock(kind, ids)

    result = CallOffResult(CallOffSummary())
    order_ids = sorted(set(affected_lines(kind, ids).values_list("order_id", flat=True)))
    for order_id in order_ids:
        try:
            plan, stopped = _call_off_order(order_id, kind, ids, reason=reason, by_user=by_user, now=now)
        except (InventoryBusy, OperationalError) as exc:
            # Locked elsewhere past the timeout (or chosen as a deadlock's victim): this order
            # is untouched and a second run finishes it.
            logger.warning("Calling off %s: order %s is busy (%s)", kind, order_id, exc)
            result.busy.append(Order.objects.filter(pk=order_id).values_list("reference", flat=True).first())
            continue
        if plan is None:
            continue
        result.summary.add(plan)
        _stop_payments(stopped)
        with translation.override(plan.order.language or settings.LANGUAGE_CODE):
            # The visitor reads it in their refund e-mail.
            refund_reason = _("Cancelled by the organiser: %(reason)s") % {"reason": reason}
        refunded, failed = make_refunds(plan.refunds, reason=refund_reason, by_user=by_user)
        result.refunded_fen += refunded
        result.failed_fen += failed
    logger.info(
        "%s %s called off by %s: %s orders, %s fen refunded, %s fen failed, busy: %s",
        kind,
        ids,
        getattr(by_user, "email", "?"),
        result.summary.orders,
        result.refunded_fen,
        result.failed_fen,
        result.busy,
    )
    return result


def _call_off_order(order_id, kind, ids, *, reason, by_user, now):
    """One order, under its lock: returns (plan, payments to stop) or (None, []) if nothing is left."""
    with transaction.atomic():
        order = lock_rows(Order, [order_id]).get(order_id)
        if order is None or order.status not in OPEN_STATUSES:
            return None, []
        lines = list(affected_lines(kind, ids).filter(order=order))
        if not lines:
            return None, []
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        due = sum(line.total_fen for line in lines)  # 100 % of their price, at most what is paid
        plan = cancel_lines(order, lines, payments, refund_fen=due, reason=reason, by_user=by_user, now=now)
        notifications.called_off(order, [line.pk for line in lines], plan.refund_fen)
    return plan, plan.stopped


def _plan(order, lines, payments, *, order_goes_on) -> CancelPlan:
    """100 % of the lines' price, at most what is still paid, over the payments newest first."""
    return plan_refund(
        order, lines, payments, refund_fen=sum(line.total_fen for line in lines), order_goes_on=order_goes_on
    )
