"""Moving a sold stay to other dates, or to another room of its homestay, in one step.

``stay_change_quote(order, line, check_in=, check_out=, room_type_id=)``: the stay as it would be,
its new price and what the difference does; ``change_stay`` decides with the same function under
the locks, so the money shown before confirming is the money moved (a page that showed another
difference is refused: ``DifferenceChanged``, with the new quote).

Who and when: the visitor, on a confirmed or paid order, for a live line of a kind that moves
(``LineKind.changes_dates``: stays), before its start (as long as its policy lets it be cancelled)
and with its voucher unused; not while the difference of an earlier change waits to be paid online.
The new stay keeps the guests and rooms; it must differ from the one booked.

Capacity, in one transaction: the order, the line, its voucher and the order's payments are locked
(as ``line_cancel`` locks them), then ``reserve`` locks the room types and takes the new nights,
counting the line's own claims as free (``replacing``: moving a one-room stay by one night fits),
and only then are the old claims released. Either the new nights are held and the old ones free,
or (``SoldOut``, ``DatesUnavailable``) nothing changed.

The line: the old one closes as changed (``replaced_by``, cancelled, its voucher void); a new line
takes its place with the new dates, room and price and a new voucher code. It keeps the note and
the cancellation policy the visitor booked under.

Money, by the difference between the new price and the old:

* More: the difference is due. It is added to an on-site payment still to be made; on an order
  paid online it is a new payment through the same provider (for Stripe a new PaymentIntent,
  started after the commit, paid from the order page); otherwise a new on-site payment. The
  order is "confirmed" (booked, money due) until it is paid, then "paid" again.
* Less: given up as if that amount were cancelled now, under the line's policy
  (``line_cancel.give_back``): the policy's share of the decrease is refunded, at most what was
  paid, through the order's payments by the one split (``make_refunds``, after the commit), and
  the rest comes off what is still to be paid on site. E.g. moderate policy, 3 days before:
  half of the decrease comes back; nothing paid yet: the on-site amount drops by all of it.
* The same: no money moves.

The visitor is e-mailed the new voucher in the order's language; the host is told.
"""

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import notifications, reservations
from .exceptions import OrderStateError
from .line_cancel import (
    CHANGEABLE_STATUSES,
    check_changeable,
    give_back,
    lock_order_line,
    lower_amount_to_collect,
    make_refunds,
)
from .line_cancel import _online as _is_online
from .lines import CleanedLine, LineInvalid, LinePrice, cancellation_terms, describing_kind
from .models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Reservation,
    ReservationStatus,
    Voucher,
)
from .models.orders import MONEY_IN
from .money import format_fen
from .payments import get_provider
from .payments.exceptions import PaymentError, UnknownProvider
from .refunds import refund_shares

logger = logging.getLogger(__name__)


class DifferenceChanged(OrderStateError):
    """The page showed another difference than changing gives now (a price or a deadline moved)."""

    def __init__(self, quote):
        self.quote = quote
        super().__init__(
            _("The difference is now %(amount)s; please look at it again before you confirm.")
            % {"amount": format_fen(quote.difference_fen)},
            code="difference_changed",
        )


@dataclass(frozen=True)
class ChangeQuote:
    """A sold stay as it would be on other dates (or in another room), and what that costs."""

    line: OrderLine  # as sold
    new: CleanedLine  # as it would be
    price: LinePrice  # of the new stay, priced now
    name: str  # the new stay's homestay and room, in the active language
    summary: str  # its dates, nights and guests in words
    old_fen: int
    refund_fen: int = 0  # a decrease: what goes back now under the policy
    collect_less_fen: int = 0  # a decrease: how much less is to be paid on site
    reason: str = ""  # a decrease: the policy's rule that decided the refund
    pay_online: bool = False  # an increase: a new online payment (else paid on site)

    @property
    def new_fen(self) -> int:
        return self.price.total.fen

    @property
    def difference_fen(self) -> int:
        """New price minus old: positive is to pay, negative is given up."""
        return self.new_fen - self.old_fen

    @property
    def to_pay_fen(self) -> int:
        return max(self.difference_fen, 0)

    @property
    def kept_fen(self) -> int:
        """Of a decrease, what the policy keeps (neither refunded nor taken off on site)."""
        return max(-self.difference_fen - self.refund_fen - self.collect_less_fen, 0)


@dataclass
class ChangeResult:
    order: Order
    old: OrderLine  # closed as changed
    line: OrderLine  # the stay as it stands now
    quote: ChangeQuote
    payment: Payment | None = None  # the payment of the difference, when one was made
    client_secret: str | None = None  # to pay it online, when its provider started it


def is_changeable(line) -> bool:
    """Can this kind of line move at all (the order page offers it then)?"""
    return describing_kind(line.kind).changes_dates


def movable_lines(order, *, terms) -> set:
    """Pks of the order's lines the order page offers to move now, from the prefetched lines and
    payments and the live lines' ``terms`` (no query)."""
    if order.status not in CHANGEABLE_STATUSES:
        return set()
    if difference_due_online(order.payments.all()):
        return set()
    movable = set()
    for line in order.lines.all():
        voucher = getattr(line, "voucher", None)
        if (
            line.cancelled_at is None
            and is_changeable(line)
            and (voucher is None or voucher.used_at is None)
            and line.pk in terms
            and terms[line.pk].cancellable
        ):
            movable.add(line.pk)
    return movable


def stay_change_quote(
    order, line, *, check_in, check_out, room_type_id=None, now=None, payments=None
) -> ChangeQuote:
    """What moving ``line`` to [check_in, check_out) (and to ``room_type_id`` of the same
    homestay) would cost or give back at ``now``. Raises ``OrderStateError`` when the line cannot
    move (409), ``LineInvalid`` for dates or a room that are not a stay of it (422), and the
    reservation core's error when the new nights cannot be had (closed, too short, taken: 409)."""
    now = now or timezone.now()
    payments = list(order.payments.all()) if payments is None else payments
    decision = check_can_move(order, line, payments, now=now)
    handler = describing_kind(line.kind)
    new = handler.changed(line, start_date=check_in, end_date=check_out, object_id=room_type_id, now=now)
    if (new.object_id, new.start_date, new.end_date) == (line.object_id, line.start_date, line.end_date):
        raise LineInvalid(
            {
                "check_in": _(
                    "These are the dates and room you have booked; choose other dates or another room."
                )
            }
        )
    batch = handler.prepare([new], now=now)
    price = handler.price(new, batch)
    claims = handler.claims(new)
    reservations.check(claims, now=now, replacing=_own_claims(line))
    name, summary = handler.describe_parts(new, batch)
    quote = ChangeQuote(line, new, price, name, summary, line.total_fen)
    difference = quote.difference_fen
    if difference > 0:
        return replace(quote, pay_online=_online_provider(payments) is not None)
    if difference < 0:
        refund, collect_less = give_back(-difference, decision.percent, payments)
        return replace(quote, refund_fen=refund, collect_less_fen=collect_less, reason=decision.reason)
    return quote


def check_can_move(order, line, payments, *, now):
    """Raise ``OrderStateError`` (409) unless ``line`` may move now (see the module); else the
    policy's decision on cancelling it now, which decides the refund of a decrease."""
    if line.replaced_by_id:  # a second click, or an old page: the stay stands as its new line
        raise OrderStateError(
            _("This stay has been changed already; the order shows its new dates."), code="already_changed"
        )
    check_changeable(order, line)
    if not is_changeable(line):
        raise OrderStateError(_("Only a stay can move to other dates."), code="not_changeable")
    voucher = getattr(line, "voucher", None)
    if voucher is not None and voucher.used_at is not None:
        raise OrderStateError(
            _("It has already been used: its voucher was checked in."), code="not_changeable"
        )
    decision = cancellation_terms([line], now=now)[line.pk]
    if not decision.cancellable:
        raise OrderStateError(decision.reason, code="not_changeable")
    if difference_due_online(payments):
        raise OrderStateError(
            _("Please pay the difference of your last change first."), code="difference_due"
        )
    return decision


def change_stay(
    order,
    line_id,
    *,
    by_user,
    check_in,
    check_out,
    room_type_id=None,
    shown_difference_fen=None,
    now=None,
) -> ChangeResult:
    """The visitor moves a stay of their order in one step (see the module for the rules).

    ``shown_difference_fen``: the difference the visitor was shown; if changing now gives
    another, nothing is done (``DifferenceChanged``, with the new quote)."""
    now = now or timezone.now()
    with transaction.atomic():
        order, line = lock_order_line(order, line_id, by_user)
        payments = list(order.payments.select_for_update().order_by("-created_at", "-pk"))
        quote = stay_change_quote(
            order,
            line,
            check_in=check_in,
            check_out=check_out,
            room_type_id=room_type_id,
            now=now,
            payments=payments,
        )
        if shown_difference_fen is not None and shown_difference_fen != quote.difference_fen:
            raise DifferenceChanged(quote)
        handler = describing_kind(line.kind)
        old_claims = _own_claims(line)
        # The new nights first, the line's own counted as free; then the old ones go.
        held = reservations.reserve(handler.claims(quote.new), holder=by_user, now=now, replacing=old_claims)
        reservations.confirm(held, now=now)
        reservations.cancel(old_claims)
        with translation.override(order.language or settings.LANGUAGE_CODE):
            snapshot = handler.snapshot(quote.new, handler.prepare([quote.new], now=now))
            reason = str(_("Changed to %(what)s") % {"what": quote.summary})
        new_line = _replacement(line, quote, snapshot)
        Reservation.objects.filter(pk__in=[r.pk for r in held]).update(order_line=new_line)
        _close(line, new_line, quote, by_user=by_user, now=now, reason=reason)
        payment, refunds = _settle(order, payments, quote)
        order.total_fen = max(order.total_fen + quote.difference_fen, 0)
        if payment is not None and order.status == OrderStatus.PAID:
            order.status = OrderStatus.CONFIRMED  # booked, with the difference still to pay
        order.save(update_fields=["total_fen", "status", "updated_at"])
        notifications.stay_changed(order, line, new_line, quote)
        with translation.override(order.language or settings.LANGUAGE_CODE):  # for the refund e-mail
            refund_reason = str(_("You changed: %(what)s") % {"what": handler.heading(line)})
        transaction.on_commit(lambda: make_refunds(refunds, reason=refund_reason, by_user=by_user))
    logger.info(
        "Order %s: line %s moved to line %s by the visitor, difference %s fen, %s fen to refund",
        order.reference,
        line.pk,
        new_line.pk,
        quote.difference_fen,
        quote.refund_fen,
    )
    client_secret = _start(payment) if payment is not None and quote.pay_online else None
    order.refresh_from_db()
    line.refresh_from_db()
    return ChangeResult(order, line, new_line, quote, payment, client_secret)


def _own_claims(line) -> list[int]:
    return list(
        Reservation.objects.filter(
            order_line=line, status__in=(ReservationStatus.HELD, ReservationStatus.CONFIRMED)
        ).values_list("pk", flat=True)
    )


def _replacement(line, quote, snapshot) -> OrderLine:
    """The new line: the old one's guests, rooms, note and policy, on the new dates and room."""
    new, price = quote.new, quote.price
    replacement = OrderLine.objects.create(
        order=line.order,
        kind=line.kind,
        object_id=new.object_id,
        title=snapshot.title[:255],
        item_name=(snapshot.item_name or "")[:255],
        translated_title=(snapshot.translated_title or "")[:255],
        translated_item_name=(snapshot.translated_item_name or "")[:255],
        start_date=new.start_date,
        end_date=new.end_date,
        nights=price.nights,
        guests=line.guests,
        quantity=line.quantity,
        unit_price_fen=price.unit.fen,
        total_fen=price.total.fen,
        breakdown=price.breakdown,
        options=line.options,
        # The terms the visitor booked under; the start moves with the stay.
        cancellation_policy=line.cancellation_policy,
        starts_at=snapshot.starts_at,
        note=line.note,
        provider_user=snapshot.provider_user or line.provider_user,
        page_id_snapshot=snapshot.page_id or line.page_id_snapshot,
        village_id=snapshot.village_id or line.village_id,
        # The same sale moved: the terms it was sold on stay with it.
        seller_id=line.seller_id,
        commission_bp=line.commission_bp,
        seller_supported=line.seller_supported,
    )
    Voucher.objects.create(order_line=replacement)
    return replacement


def _close(line, new_line, quote, *, by_user, now, reason):
    """The old line stands no more: changed into ``new_line``, its voucher void."""
    line.cancelled_at, line.cancelled_by, line.replaced_by = now, by_user, new_line
    line.refund_fen = quote.refund_fen
    line.cancel_reason = reason[:500]
    line.save(update_fields=["cancelled_at", "cancelled_by", "replaced_by", "refund_fen", "cancel_reason"])
    Voucher.objects.filter(order_line=line, voided_at__isnull=True).update(voided_at=now)


def _settle(order, payments, quote):
    """The difference in money, under the payments' locks: (new payment or None, refunds to make)."""
    difference = quote.difference_fen
    if difference < 0:
        lower_amount_to_collect(payments, quote.collect_less_fen)
        return None, refund_shares(payments, quote.refund_fen)
    if difference == 0:
        return None, []
    on_site_due = next((p for p in payments if p.status == PaymentStatus.PENDING and not _is_online(p)), None)
    if on_site_due is not None:
        on_site_due.amount_fen += difference
        on_site_due.save(update_fields=["amount_fen", "updated_at"])
        return None, []
    provider = _online_provider(payments) if quote.pay_online else None
    payment = Payment.objects.create(
        order=order,
        provider=provider or "on_site",
        amount_fen=difference,
        currency=order.currency,
    )
    return payment, []


def difference_due_online(payments) -> bool:
    """An online payment not yet made (the difference of an earlier change) stands on the order."""
    return any(p.status in (PaymentStatus.PENDING, PaymentStatus.FAILED) and _is_online(p) for p in payments)


def _online_provider(payments) -> str | None:
    """The online provider the order was paid through (the newest such payment's), if it still
    takes payments: the difference is paid the same way."""
    for payment in payments:
        if payment.status in MONEY_IN and _is_online(payment):
            try:
                provider = get_provider(payment.provider)
            except UnknownProvider:
                return None
            return payment.provider if provider.is_enabled(payment.order) else None
    return None


def _start(payment) -> str | None:
    """Start collecting the difference online (a Stripe PaymentIntent), outside the transaction;
    if the provider cannot be reached now, the order page's "Pay now" starts it later."""
    try:
        return get_provider(payment.provider).start(payment).client_secret
    except PaymentError as exc:
        logger.warning("Order %s: cannot start payment %s yet: %s", payment.order.reference, payment.pk, exc)
        return None
