"""Cancelling single lines of an order while the rest of it stands: the visitor's own cancellation
of one line (or of some of a line's tickets), and the organiser's call-off (``organiser_cancel``),
which share ``cancel_lines``.

``cancel_lines(order, lines, payments, refund_fen=...)``, under the caller's locks on the order and
its payments: the lines are marked cancelled (when, by whom, why, their share of the refund), their
vouchers voided and their claims released (``reservations.cancel``, which also clears the cached
pages of what they sold); an on-site payment not yet collected drops by what nobody paid for them;
an order left with no live line is cancelled (its unpaid payments stopped). The refund, at most
what is still paid, is split over the payments newest first (``refunds.refund_shares``, the one
split every refund uses); ``make_refunds`` gives it back after the commit, through each payment's
provider, leaving the order as it stands.

The visitor's side:

* ``line_cancellation_quote(order, line, quantity=None)``: what cancelling now would give back, and
  why. ``cancel_line`` decides with the same function under the locks, so the refund shown before
  confirming is the refund made (a page that showed another amount is refused: ``RefundChanged``).
* The order must be confirmed or paid (a pending order is paid or cancelled as a whole), the line
  live, its voucher unused; the line's kind decides the refund (``LineKind.cancellation_terms``:
  the policy its homestay, experience or ticket type had when sold; produce until packed).
* Tickets can be given back some at a time (``LineKind.cancels_in_part``): the tickets given back
  move to a line of their own, cancelled, with their share of the price and of the claim; the line
  keeps the rest, with its voucher and code. A gate reads at each scan how many a voucher admits,
  so the code the visitor saved (a screenshot, the printed e-mail) keeps working for what is left,
  and no second code for the same seats ever exists.
* The last live line cancelled cancels the order.
* The visitor is e-mailed in the order's language, and whoever provides the line (host, guide,
  farmer) in theirs.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations
from .exceptions import OrderStateError
from .lines import cancellation_terms, describing_kind
from .locking import lock_rows
from .models import DepositPlan, Order, OrderLine, OrderStatus, PaymentStatus, Reservation, Voucher
from .money import format_fen
from .order_state import _mark_cancelled, _stop_payments
from .payments import get_provider
from .payments.exceptions import UnknownProvider
from .policies import RefundDecision
from .refunds import paid_left_fen, refund_payment, refund_shares

logger = logging.getLogger(__name__)

# Orders whose lines a visitor may cancel one by one: a pending order is paid or cancelled whole.
CHANGEABLE_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.PAID)


# --- the shared part: cancel these lines of this order with this refund ----------------------


@dataclass
class CancelPlan:
    """Lines of one order to cancel, whether the order goes on, and the refund over its payments."""

    order: Order
    lines: list
    order_goes_on: bool
    refunds: list  # [(payment, fen)]
    stopped: list = field(default_factory=list)  # payments stopped because the order ended

    @property
    def refund_fen(self) -> int:
        return sum(share for _payment, share in self.refunds)


def plan(order, lines, payments, *, refund_fen, order_goes_on) -> CancelPlan:
    """``refund_fen``, at most what is still paid, over ``payments`` in the order given."""
    refunds = refund_shares(payments, min(refund_fen, paid_left_fen(payments)))
    return CancelPlan(order, list(lines), order_goes_on, refunds)


def cancel_lines(order, lines, payments, *, refund_fen, reason, by_user, now) -> CancelPlan:
    """Cancel ``lines`` of ``order`` and plan giving back ``refund_fen`` (see the module).

    The caller holds the locks of the order and of ``payments`` (all of the order's, newest first)
    and its transaction; the refunds go out after the commit (``make_refunds``)."""
    line_pks = [line.pk for line in lines]
    goes_on = order.lines.filter(cancelled_at__isnull=True).exclude(pk__in=line_pks).exists()
    done = plan(order, lines, payments, refund_fen=refund_fen, order_goes_on=goes_on)
    by = by_user if getattr(by_user, "pk", None) else None
    rest = done.refund_fen
    for line in lines:
        share = min(line.total_fen, rest)
        rest -= share
        line.cancelled_at, line.cancelled_by, line.refund_fen = now, by, share
        line.cancel_reason = str(reason or "")[:500]
        line.save(update_fields=["cancelled_at", "cancelled_by", "refund_fen", "cancel_reason"])
    Voucher.objects.filter(order_line_id__in=line_pks, voided_at__isnull=True).update(voided_at=now)
    claims = Reservation.objects.filter(order_line_id__in=line_pks)
    reservations.cancel(list(claims.values_list("pk", flat=True)))
    if goes_on:
        lower_amount_to_collect(payments, sum(line.total_fen for line in lines) - done.refund_fen)
    else:
        done.stopped = _mark_cancelled(order, payments, reason=str(reason or ""), by_user=by_user, now=now)
    return done


def make_refunds(refunds, *, reason, by_user=None) -> tuple[int, int]:
    """Give back each planned (payment, fen) through its provider, outside any transaction; the
    order keeps its state. Returns (refunded, failed) in fen: a refund the provider refuses is
    flagged for staff to pay by hand (``refunds.refund_payment``)."""
    refunded = failed = 0
    for payment, share in refunds:
        refund = refund_payment(
            payment.pk, share, reason=reason, by_user_pk=getattr(by_user, "pk", None), keep_order=True
        )
        if refund is None:
            failed += share
        else:
            refunded += refund.amount_fen
    return refunded, failed


def lower_amount_to_collect(payments, unpaid_fen):
    """An order that stands pays less on site: its pending on-site payment drops by the price of
    the cancelled lines nobody paid for yet. (An online payment keeps its amount, which the
    provider already holds; if it is paid, ``order_state.payment_succeeded`` refunds that part.)"""
    for payment in payments:
        if unpaid_fen <= 0:
            return
        if payment.status != PaymentStatus.PENDING or _online(payment):
            continue
        cut = min(unpaid_fen, payment.amount_fen)
        payment.amount_fen -= cut
        unpaid_fen -= cut
        if payment.amount_fen == 0:
            payment.status = PaymentStatus.CANCELED
        payment.save(update_fields=["amount_fen", "status", "updated_at"])


def _collected_on_site_later(payments) -> int:
    return sum(p.amount_fen for p in payments if p.status == PaymentStatus.PENDING and not _online(p))


def _online(payment) -> bool:
    try:
        return get_provider(payment.provider).online
    except UnknownProvider:
        return True  # unknown: leave its amount alone


# --- the visitor's side -----------------------------------------------------------------------


class RefundChanged(OrderStateError):
    """The page showed another refund than cancelling gives now (a deadline passed meanwhile)."""

    def __init__(self, quote):
        self.quote = quote
        super().__init__(
            _("The refund is now %(amount)s; please look at it again before you confirm.")
            % {"amount": format_fen(quote.refund_fen)},
            code="refund_changed",
        )


@dataclass(frozen=True)
class LineQuote:
    """What cancelling ``quantity`` of a line now gives back, and why."""

    refund_fen: int
    cancellable: bool
    reason: str
    quantity: int  # how many of the line's units are cancelled (all of them but for tickets)
    part_fen: int  # their price
    paid_left_fen: int  # paid on the order and not yet refunded
    collect_less_fen: int = 0  # how much less is to be paid on site


@dataclass
class LineCancelResult:
    order: Order
    line: OrderLine  # the line asked for, as it is now (cancelled, or live with the tickets kept)
    cancelled: OrderLine  # the cancelled line: the same, or the tickets given back
    quote: LineQuote

    @property
    def refund_fen(self) -> int:
        return self.quote.refund_fen


def line_cancellation_quote(order, line, *, quantity=None, now=None, payments=None) -> LineQuote:
    """What cancelling ``line`` (``quantity`` of its tickets; all of it by default) would give
    back at ``now``. Raises ``OrderStateError`` when no moment would allow it (the order is not
    confirmed or paid, the line is cancelled already, a bad quantity); a refusal that depends on
    the moment (the start has passed, the produce is packed, the voucher was used) is a quote
    that is not ``cancellable``, with the reason."""
    check_changeable(order, line)
    quantity = clean_quantity(line, quantity)
    now = now or timezone.now()
    payments = list(order.payments.all()) if payments is None else payments
    part_fen = part_price(line, quantity)
    paid_left = paid_left_fen(payments)
    decision = _decision(line, cancellation_terms([line], now=now))
    if not decision.cancellable:
        return LineQuote(0, False, decision.reason, quantity, part_fen, paid_left)
    refund, collect_less = give_back(part_fen, decision.percent, payments)
    reason = decision.reason
    if not paid_left and part_fen:
        reason = str(_("Nothing has been paid yet, so there is nothing to refund."))
        if collect_less:
            reason += " " + str(
                _("You will pay %(amount)s less on site.")
                % {"amount": format_fen(collect_less, order.currency)}
            )
    return LineQuote(refund, True, reason, quantity, part_fen, paid_left, collect_less)


def give_back(part_fen, percent, payments) -> tuple[int, int]:
    """(refund, collect_less) for giving up ``part_fen`` of an order at ``percent`` back: the
    refund, at most what is still paid; the rest of it off what is still to be paid on site."""
    refund = min(part_fen * percent // 100, paid_left_fen(payments))
    return refund, min(part_fen - refund, _collected_on_site_later(payments))


def check_changeable(order, line):
    if order.status not in CHANGEABLE_STATUSES:
        if order.status == OrderStatus.PENDING:
            message = _("This order is not paid yet: pay for it first, or cancel the whole order.")
        else:
            message = _("This order can no longer be changed.")
        raise OrderStateError(message, code="order_not_changeable")
    if line.cancelled_at is not None:
        raise OrderStateError(_("This line is already cancelled."), code="already_cancelled")
    # A group's order (paid in parts, ``deposits``) is priced as a whole at group prices: its
    # lines are changed by the tourism office, never one by one at public prices.
    if DepositPlan.objects.filter(order_id=order.pk).exists():
        raise OrderStateError(
            _("This is a group booking: please ask the tourism office to change it."), code="group_booking"
        )


def clean_quantity(line, quantity) -> int:
    """How many of the line's units to cancel: all of them when not given; part only for kinds
    that allow it (tickets)."""
    if quantity is None:
        return line.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= line.quantity:
        raise OrderStateError(
            _("This line holds %(n)d: please give a number from 1 to %(n)d.") % {"n": line.quantity},
            code="bad_quantity",
        )
    if quantity < line.quantity and not describing_kind(line.kind).cancels_in_part:
        raise OrderStateError(_("This line can only be cancelled as a whole."), code="bad_quantity")
    return quantity


def part_price(line, quantity) -> int:
    """The price of ``quantity`` of the line's units (each priced alike where a part may go)."""
    if quantity >= line.quantity:
        return line.total_fen
    return line.total_fen * quantity // line.quantity


def cancel_line(
    order, line_id, *, by_user, quantity=None, shown_refund_fen=None, now=None
) -> LineCancelResult:
    """The visitor cancels one line of their order (``quantity`` of its tickets, or all of it).

    Checked and done under the locks of the order, the line, its voucher and the order's
    payments, in that order (the order first, as every path that changes an order; the farmer
    packing produce locks the line, the gate the voucher). The refund goes back through the
    order's payments after the commit; the visitor and the provider are e-mailed then.
    ``shown_refund_fen``: the refund the visitor was shown; if cancelling now gives another,
    nothing is done (``RefundChanged``, with the new quote).
    """
    now = now or timezone.now()
    with transaction.atomic():
        order, line = lock_order_line(order, line_id, by_user)
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        quote = line_cancellation_quote(order, line, quantity=quantity, now=now, payments=payments)
        if not quote.cancellable:
            raise OrderStateError(quote.reason, code="not_cancellable")
        if shown_refund_fen is not None and shown_refund_fen != quote.refund_fen:
            raise RefundChanged(quote)
        part = split_off(line, quote.quantity, now=now) if quote.quantity < line.quantity else line
        done = cancel_lines(
            order,
            [part],
            payments,
            refund_fen=quote.refund_fen,
            reason=quote.reason,
            by_user=by_user,
            now=now,
        )
        notifications.line_cancelled(order, part, quote)
        with translation.override(order.language or settings.LANGUAGE_CODE):  # for the refund e-mail
            refund_reason = str(
                _("You cancelled: %(what)s") % {"what": describing_kind(part.kind).heading(part)}
            )
        refunds = [(payment, share) for payment, share in done.refunds]
        stopped = list(done.stopped)
        transaction.on_commit(lambda: make_refunds(refunds, reason=refund_reason, by_user=by_user))
        transaction.on_commit(lambda: _stop_payments(stopped))
    logger.info(
        "Order %s: %s of line %s cancelled by the visitor, %s fen to refund",
        order.reference,
        quote.quantity,
        line.pk,
        quote.refund_fen,
    )
    order.refresh_from_db()
    line.refresh_from_db()
    return LineCancelResult(order, line, part, quote)


def lock_order_line(order, line_id, by_user):
    """The visitor's order and its line (with its voucher), locked in that order and read fresh:
    a second cancellation of the same line waits here, then finds it cancelled."""
    order = lock_rows(Order, [order.pk]).get(order.pk)
    if order is None or order.user_id != getattr(by_user, "pk", None):
        raise OrderStateError(_("This order does not exist."), code="not_found")
    line = OrderLine.objects.select_for_update(of=("self",)).filter(pk=line_id, order=order).first()
    if line is None:
        raise OrderStateError(_("This line does not exist."), code="not_found")
    line.order = order
    voucher = Voucher.objects.select_for_update().filter(order_line=line).first()
    if voucher is not None:
        line.voucher = voucher
    return order, line


def split_off(line, quantity, *, now) -> OrderLine:
    """Move ``quantity`` of the line's units to a new line of the same order (about to be
    cancelled): its share of the price and of the line's claims go with it; the line keeps the
    rest, its voucher and its code. The caller holds the line's lock."""
    part_fen = part_price(line, quantity)
    guests = quantity if line.guests == line.quantity else line.guests
    part = OrderLine.objects.create(
        order=line.order,
        kind=line.kind,
        object_id=line.object_id,
        title=line.title,
        item_name=line.item_name,
        translated_title=line.translated_title,
        translated_item_name=line.translated_item_name,
        start_date=line.start_date,
        end_date=line.end_date,
        nights=line.nights,
        guests=guests,
        quantity=quantity,
        unit_price_fen=line.unit_price_fen,
        total_fen=part_fen,
        options=line.options,
        cancellation_policy=line.cancellation_policy,
        starts_at=line.starts_at,
        provider_user_id=line.provider_user_id,
        page_id_snapshot=line.page_id_snapshot,
        village_id=line.village_id,
        seller_id=line.seller_id,
        commission_bp=line.commission_bp,
        seller_supported=line.seller_supported,
        split_from=line,
    )
    Voucher.objects.create(order_line=part, voided_at=now)  # never valid: the tickets given back
    reservations.split_off(
        list(line.reservations.values_list("pk", flat=True)), line.quantity, quantity, order_line=part
    )
    if guests != line.guests:
        line.guests -= guests
    line.quantity -= quantity
    line.total_fen -= part_fen
    line.save(update_fields=["guests", "quantity", "total_fen"])
    return part


# --- what the order page offers ---------------------------------------------------------------


@dataclass(frozen=True)
class LineChoice:
    """Whether the order page offers to cancel a line on its own, and why not when it cannot."""

    cancellable: bool
    reason: str = ""
    in_part: bool = False  # some of it may go (a line of several tickets)


def cancels_in_part(line) -> bool:
    return describing_kind(line.kind).cancels_in_part and line.quantity > 1


def line_choices(order, *, now=None, terms=None) -> dict:
    """{live line pk: ``LineChoice``} for the order page: lines of a confirmed or paid order with
    more than one live line, and lines of several tickets (an order's only line of one thing is
    cancelled with the order). Reads the lines as prefetched; one query per kind at most, none
    when given the live lines' ``terms``."""
    if order.status not in CHANGEABLE_STATUSES:
        return {}
    live = [line for line in order.lines.all() if line.cancelled_at is None]
    terms = cancellation_terms(live, now=now) if terms is None else terms
    choices = {}
    for line in live:
        in_part = cancels_in_part(line)
        if len(live) < 2 and not in_part:
            continue
        decision = _decision(line, terms)
        choices[line.pk] = LineChoice(
            decision.cancellable, "" if decision.cancellable else decision.reason, in_part
        )
    return choices


def _decision(line, terms) -> RefundDecision:
    """The kind's decision for the line, unless its voucher was used (then nothing can go back)."""
    voucher = getattr(line, "voucher", None)
    if voucher is not None and voucher.used_at is not None:
        return RefundDecision(0, False, str(_("It has already been used: its voucher was checked in.")))
    return terms[line.pk]
