"""What each producer and host earned, what was paid out and what is owed: statements.

Owns the commission terms a sale keeps (``sale_terms``, registered with ``orders.sellers``) and
the statement of a seller over a period. The rules, in one place:

* A line is the **seller's** when the sale recorded them (``OrderLine.seller``, kept at the sale
  with ``commission_bp`` and ``seller_supported``); later edits never move history.
* A line is a **sale** when its order was confirmed, paid or completed, or took money that may
  since have gone back (a cancelled or refunded order that was paid). A stay moved to other
  dates counts once, as the line that replaced it. Unpaid checkouts that lapsed are no sale.
* **Sale date**: the day the order was placed, town time (Asia/Shanghai). Gross and commission
  count on it.
* **Refunds** are the refund records (``orders.Refund``), each on its own date, town time. A
  refund of an order is shared out to its lines: a line cancelled on its own takes what its
  cancelling gave back (``OrderLine.refund_fen``); the rest goes to the lines that stand, pro rata
  to their totals. Each refund record is split in that proportion, to the fen.
* **Commission** is ``commission_bp`` of what the line keeps, rounded half up: charged on the
  sale date, and given back on a refund's date as the commission on what the refund took off.
* **Net** of a line = gross − refunds − commission (of the period).
* **Payouts** count on their ``paid_on`` date.
* The **balance** is computed, never typed: the opening balance (everything before the period:
  nets less payouts) plus the period's nets less its payouts. It may be negative (paid ahead).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from homestays.models import HomestayPage
from orders.models import SOLD_STATUSES, OrderLine, OrderStatus, Payment, Refund
from orders.models.orders import MONEY_IN
from orders.sellers import SaleTerms, commission_of
from products.models import Producer, ProducerStatus

from .models import CommissionRate, Payout

# --- the terms a sale keeps -------------------------------------------------------------------


def sale_terms(pairs) -> dict:
    """{(kind, seller id): SaleTerms} as the rates and flags stand now; two queries.

    A seller's own rate on the kind, else their own rate on every kind, else nothing for a
    supported household, else the kind's rate, else none."""
    seller_ids = {seller for _kind, seller in pairs}
    kinds = {kind for kind, _seller in pairs}
    rates = {
        (rate.kind, rate.seller_id): rate.rate_bp
        for rate in CommissionRate.objects.filter(
            Q(seller_id__in=seller_ids) | Q(seller__isnull=True, kind__in=kinds)
        )
    }
    supported = set(
        Producer.objects.filter(user_id__in=seller_ids, supported_household=True).values_list(
            "user_id", flat=True
        )
    )
    found = {}
    for kind, seller in pairs:
        is_supported = seller in supported
        for key in ((kind, seller), ("", seller)):
            if key in rates:
                bp = rates[key]
                break
        else:
            bp = 0 if is_supported else rates.get((kind, None), 0)
        found[(kind, seller)] = SaleTerms(commission_bp=bp, supported=is_supported)
    return found


# --- periods ----------------------------------------------------------------------------------


class StatementInvalid(Exception):
    """Bad statement input: ``errors`` maps a field to a message (422)."""

    def __init__(self, errors):
        self.errors = {key: str(value) for key, value in errors.items()}
        super().__init__("; ".join(self.errors.values()))


@dataclass(frozen=True)
class Period:
    """Town days ``first`` .. ``last``, both included."""

    first: datetime.date
    last: datetime.date

    @property
    def end(self) -> datetime.date:
        return self.last + datetime.timedelta(days=1)

    def __contains__(self, day) -> bool:
        return self.first <= day <= self.last


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_period(month: datetime.date) -> Period:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Period(first, following - datetime.timedelta(days=1))


def parse_month(value, *, today=None) -> Period:
    """``YYYY-MM`` (empty: this month) as its period; ``StatementInvalid`` when it is not one."""
    today = today or timezone.localdate()
    if not value:
        return month_period(today)
    try:
        month = datetime.datetime.strptime(str(value).strip(), "%Y-%m").date()
    except ValueError:
        raise StatementInvalid({"month": _("Please give a month as YYYY-MM.")}) from None
    if month.year < 2000 or month > today.replace(day=1):
        raise StatementInvalid({"month": _("Please give a month from 2000 to this month.")})
    return month_period(month)


MAX_DAYS = 366 * 5


def parse_period(first, last, *, today=None) -> Period:
    """``from`` and ``to`` as YYYY-MM-DD, both included (missing: this month up to today)."""
    today = today or timezone.localdate()
    errors = {}
    days = {}
    for name, value, default in (("from", first, today.replace(day=1)), ("to", last, today)):
        if value in (None, ""):
            days[name] = default
            continue
        try:
            days[name] = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = _("Please give a date as YYYY-MM-DD.")
    if not errors and days["from"] > days["to"]:
        errors["to"] = _("The end of the period is before its start.")
    if not errors and (days["to"] - days["from"]).days > MAX_DAYS:
        errors["to"] = _("Please ask for at most five years at once.")
    if errors:
        raise StatementInvalid(errors)
    return Period(days["from"], days["to"])


# --- statements -------------------------------------------------------------------------------


@dataclass
class StatementLine:
    line_id: int
    order_reference: str
    kind: str
    sold_on: datetime.date
    title: str
    item_name: str
    quantity: int
    commission_bp: int
    supported: bool
    gross_fen: int = 0
    refunds_fen: int = 0
    commission_fen: int = 0

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.refunds_fen - self.commission_fen


@dataclass
class StatementPayout:
    payout_id: int
    paid_on: datetime.date
    amount_fen: int
    method: str
    method_label: str
    reference: str


@dataclass
class Totals:
    opening_balance_fen: int = 0
    gross_fen: int = 0
    refunds_fen: int = 0
    commission_fen: int = 0
    payouts_fen: int = 0

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.refunds_fen - self.commission_fen

    @property
    def balance_fen(self) -> int:
        """What is owed at the end of the period (negative: paid ahead)."""
        return self.opening_balance_fen + self.net_fen - self.payouts_fen

    def as_dict(self) -> dict:
        return {
            "opening_balance_fen": self.opening_balance_fen,
            "gross_fen": self.gross_fen,
            "refunds_fen": self.refunds_fen,
            "commission_fen": self.commission_fen,
            "net_fen": self.net_fen,
            "payouts_fen": self.payouts_fen,
            "balance_fen": self.balance_fen,
        }


@dataclass
class Statement:
    seller: object
    seller_name: str
    period: Period
    lines: list = field(default_factory=list)
    payouts: list = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


def sale_lines():
    """Order lines that are sales (see the module): sold orders, or orders that took money."""
    took_money = Exists(Payment.objects.filter(order=OuterRef("order"), status__in=MONEY_IN))
    return OrderLine.objects.filter(
        Q(order__status__in=[*SOLD_STATUSES, OrderStatus.REFUNDED]) | Q(took_money),
        replaced_by__isnull=True,
    )


def _spread(amount: int, weights: dict) -> dict:
    """``amount`` over ``weights`` pro rata, to the fen (largest remainders), summing to it."""
    total = sum(weights.values())
    if amount <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    shares = {key: amount * weight // total for key, weight in weights.items()}
    left = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(amount * weights[key] % total), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def _refund_events(order_lines, refunds) -> dict:
    """{line pk: [(date, fen)]}: each refund record of the orders split over their lines."""
    events = defaultdict(list)
    lines_by_order, refunds_by_order = defaultdict(list), defaultdict(list)
    for line in order_lines:
        lines_by_order[line.order_id].append(line)
    for refund in refunds:
        refunds_by_order[refund.payment__order_id].append(refund)
    for order_id, order_refunds in refunds_by_order.items():
        lines = lines_by_order.get(order_id)
        if not lines:
            continue
        refunded = sum(r.amount_fen for r in order_refunds)
        own = {line.pk: line.refund_fen for line in lines if line.cancelled_at is not None}
        if sum(own.values()) > refunded:
            target = _spread(refunded, own)
        else:
            standing = {line.pk: line.total_fen for line in lines if line.cancelled_at is None}
            if not any(standing.values()):
                standing = {line.pk: line.total_fen for line in lines}
            rest = _spread(refunded - sum(own.values()), standing)
            target = {line.pk: own.get(line.pk, 0) + rest.get(line.pk, 0) for line in lines}
        # Cumulative splits, so each record's shares sum to it and each line ends at its target.
        done = dict.fromkeys(target, 0)
        so_far = 0
        for refund in sorted(order_refunds, key=lambda r: (r.created_at, r.pk)):
            so_far += refund.amount_fen
            upto = _spread(so_far, target) if so_far < refunded else target
            day = timezone.localtime(refund.created_at, _tz()).date()
            for pk, fen in upto.items():
                if fen - done[pk]:
                    events[pk].append((day, fen - done[pk]))
                done[pk] = fen
    return events


def seller_names(seller_ids) -> dict:
    """{user id: the name a statement carries}: the producer's shop name, else the user's."""
    names = dict(Producer.objects.filter(user_id__in=seller_ids).values_list("user_id", "display_name"))
    for user in get_user_model().objects.filter(pk__in=set(seller_ids) - set(names)):
        names[user.pk] = str(user)
    return names


def statements(seller_ids, period: Period) -> dict:
    """{seller id: Statement} for ``period``, in a fixed number of queries whatever the sellers
    and lines (their whole history up to the period's end is read for the opening balance)."""
    seller_ids = list(seller_ids)
    end = datetime.datetime.combine(period.end, datetime.time(), tzinfo=_tz())
    sold = sale_lines().filter(order__created_at__lt=end)
    theirs = list(
        sold.filter(seller_id__in=seller_ids)
        .select_related("order")
        .only(
            "pk",
            "kind",
            "title",
            "item_name",
            "quantity",
            "total_fen",
            "refund_fen",
            "cancelled_at",
            "commission_bp",
            "seller_supported",
            "seller_id",
            "order_id",
            "order__reference",
            "order__created_at",
        )
        .order_by("order__created_at", "pk")
    )
    order_ids = {line.order_id for line in theirs}
    # Every sold line of those orders (other sellers' too): a refund of an order is shared by all.
    all_lines = list(
        sold.filter(order_id__in=order_ids).only("pk", "order_id", "total_fen", "refund_fen", "cancelled_at")
    )
    refunds = list(
        Refund.objects.filter(payment__order_id__in=order_ids, created_at__lt=end).values_list(
            "pk", "amount_fen", "created_at", "payment__order_id", named=True
        )
    )
    events = _refund_events(all_lines, refunds)
    payouts = list(
        Payout.objects.filter(seller_id__in=seller_ids, paid_on__lte=period.last).order_by("paid_on", "pk")
    )
    names = seller_names(seller_ids)
    users = get_user_model().objects.in_bulk(seller_ids)

    result = {
        pk: Statement(seller=users.get(pk), seller_name=names.get(pk, ""), period=period) for pk in seller_ids
    }
    for line in theirs:
        statement = result[line.seller_id]
        totals = statement.totals
        sold_on = timezone.localtime(line.order.created_at, _tz()).date()
        row = StatementLine(
            line_id=line.pk,
            order_reference=line.order.reference,
            kind=line.kind,
            sold_on=sold_on,
            title=line.title,
            item_name=line.item_name,
            quantity=line.quantity,
            commission_bp=line.commission_bp,
            supported=line.seller_supported,
        )
        # The line's history, day by day: the sale, then each refund with the commission it undoes.
        kept = line.total_fen
        charged = commission_of(kept, line.commission_bp)
        history = [(sold_on, line.total_fen, 0, charged)]
        for day, fen in sorted(events.get(line.pk, [])):
            kept -= fen
            now_charged = commission_of(kept, line.commission_bp)
            history.append((day, 0, fen, now_charged - charged))
            charged = now_charged
        in_period = False
        for day, gross, refund, commission in history:
            if day < period.first:
                totals.opening_balance_fen += gross - refund - commission
            else:
                in_period = True
                row.gross_fen += gross
                row.refunds_fen += refund
                row.commission_fen += commission
        if in_period:
            statement.lines.append(row)
            totals.gross_fen += row.gross_fen
            totals.refunds_fen += row.refunds_fen
            totals.commission_fen += row.commission_fen
    labels = dict(Payout._meta.get_field("method").flatchoices)
    for payout in payouts:
        statement = result[payout.seller_id]
        if payout.paid_on < period.first:
            statement.totals.opening_balance_fen -= payout.amount_fen
            continue
        statement.totals.payouts_fen += payout.amount_fen
        statement.payouts.append(
            StatementPayout(
                payout.pk,
                payout.paid_on,
                payout.amount_fen,
                payout.method,
                str(labels.get(payout.method, payout.method)),
                payout.reference,
            )
        )
    return result


def statement(seller, period: Period) -> Statement:
    return statements([seller.pk], period)[seller.pk]


def sellers():
    """Ids of everyone a statement can be about: sellers of sold lines, verified producers,
    homestay hosts and anyone paid out."""
    ids = set(OrderLine.objects.filter(seller__isnull=False).values_list("seller_id", flat=True).distinct())
    ids |= set(Producer.objects.filter(status=ProducerStatus.VERIFIED).values_list("user_id", flat=True))
    ids |= set(HomestayPage.objects.filter(host__isnull=False).values_list("host_id", flat=True).distinct())
    ids |= set(Payout.objects.values_list("seller_id", flat=True).distinct())
    return ids


def may_have_statement(user) -> bool:
    """A producer or a homestay host (whoever sells in the town)."""
    if not user.is_authenticated:
        return False
    return (
        Producer.objects.filter(user=user, status=ProducerStatus.VERIFIED).exists()
        or HomestayPage.objects.filter(host=user).exists()
        or OrderLine.objects.filter(seller=user).exists()
    )


# --- payouts ----------------------------------------------------------------------------------


def record_payout(*, seller, paid_on, amount_fen, method, reference="", note="", by_user=None) -> Payout:
    """Record money paid to ``seller``; ``full_clean`` refuses a bad one, nothing half-saved."""
    payout = Payout(
        seller=seller,
        paid_on=paid_on,
        amount_fen=amount_fen,
        method=method,
        reference=reference,
        note=note,
        recorded_by=by_user,
    )
    payout.full_clean()
    with transaction.atomic():
        payout.save()
    return payout
