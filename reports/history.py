"""A generated history of sales over a town's real homestays, tours, events and products.

The demo uses it so the reports and the dashboard have a year to show on a fresh ``make run``;
``bench/reports.py`` uses it to build a year of 100,000 order lines. Rows are bulk-inserted as
the checkout would have left them once everything was over (completed, cancelled or refunded
orders with their payments, refunds, vouchers and fulfilments); no capacity is claimed, since
only past dates are generated.
"""

import bisect
import contextlib
import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderLine, OrderStatus, Payment, PaymentStatus, Refund, Voucher
from orders.models.orders import new_voucher_code
from orders.models.reservations import ReservationKind
from products.models import FulfilmentStatus, LineFulfilment, Producer

# Order references of generated orders start with "0", a letter real references never use.
REFERENCE_PREFIX = "0"


@dataclass(frozen=True)
class Sellable:
    """One thing that can be sold, as an order line needs it."""

    kind: str
    object_id: int
    title: str
    price_fen: int
    village_id: int | None = None
    provider_user_id: int | None = None
    page_id: int | None = None
    starts_at: datetime.datetime | None = None  # tours and tickets: when it happens
    item_name: str = ""


@dataclass
class Catalogue:
    stays: list = field(default_factory=list)
    tours: list = field(default_factory=list)
    tickets: list = field(default_factory=list)
    products: list = field(default_factory=list)

    def __post_init__(self):
        # Tours and tickets by date, so an order day finds what happens in the weeks after it.
        for name in ("tours", "tickets"):
            items = sorted(getattr(self, name), key=lambda item: item.starts_at)
            setattr(self, name, items)
            setattr(self, f"_{name}_at", [item.starts_at for item in items])

    def soon_after(self, name, moment, rng, within=20):
        items, times = getattr(self, name), getattr(self, f"_{name}_at")
        first = min(bisect.bisect_left(times, moment), len(items) - 1)
        return items[rng.randrange(first, min(len(items), first + within))]


@contextlib.contextmanager
def keeping_dates(*models):
    """bulk_create stamps auto_now/auto_now_add fields with now (pre_save); switched off here so
    generated dates can spread over the year. Every such field must then be given a value."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    fields += [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _status(rng):
    roll = rng.random()
    if roll < 0.07:
        return OrderStatus.CANCELLED
    if roll < 0.09:
        return OrderStatus.REFUNDED
    return OrderStatus.COMPLETED


def _line(rng, catalogue, day, tz):
    """One line bought on ``day``: a stay from that day, a tour or ticket happening near it, or produce."""
    roll = rng.random()
    kinds = [
        (0.35, ReservationKind.STAY, catalogue.stays),
        (0.60, ReservationKind.TOUR, catalogue.tours),
        (0.75, ReservationKind.TICKET, catalogue.tickets),
        (1.00, ReservationKind.PRODUCT, catalogue.products),
    ]
    kind, items = next(((k, items) for limit, k, items in kinds if roll < limit and items), (None, None))
    if kind is None:
        items = next(items for items in (catalogue.products, catalogue.stays, catalogue.tours) if items)
        kind = items[0].kind
    if kind in (ReservationKind.TOUR, ReservationKind.TICKET):
        name = "tours" if kind == ReservationKind.TOUR else "tickets"
        item = catalogue.soon_after(name, datetime.datetime.combine(day, datetime.time.min, tz), rng)
    else:
        item = rng.choice(items)
    line = {
        "kind": kind,
        "object_id": item.object_id,
        "title": item.title,
        "item_name": item.item_name,
        "village_id": item.village_id,
        "provider_user_id": item.provider_user_id,
        # Kept at the sale as the checkout does (``orders.sellers``): tickets are the town's own.
        "seller_id": item.provider_user_id if kind != ReservationKind.TICKET else None,
        "page_id_snapshot": item.page_id,
        "unit_price_fen": item.price_fen,
        "starts_at": item.starts_at,
    }
    if kind == ReservationKind.STAY:
        nights, rooms = rng.randint(1, 4), rng.choice([1, 1, 1, 2])
        line |= {
            "start_date": day,
            "end_date": day + datetime.timedelta(days=nights),
            "nights": nights,
            "quantity": rooms,
            "guests": rooms * 2,
            "total_fen": item.price_fen * nights * rooms,
            "starts_at": datetime.datetime.combine(day, datetime.time(14), tzinfo=tz),
        }
    elif kind == ReservationKind.PRODUCT:
        quantity = rng.randint(1, 3)
        line |= {"quantity": quantity, "guests": 1, "total_fen": item.price_fen * quantity}
    else:
        people = rng.randint(1, 4)
        line |= {"quantity": people, "guests": people, "total_fen": item.price_fen * people}
        if line["starts_at"] is not None:
            line["start_date"] = timezone.localtime(line["starts_at"], tz).date()
    return line


def generate_sales(catalogue, *, buyer, lines, start, end, seed=1, batch=2000):
    """Bulk-insert about ``lines`` order lines of orders placed on days in [start, end).

    Stays begin on the order day (``end`` should be far enough in the past for them to be over).
    Tours and tickets keep their own dates. Returns the number of lines made."""
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    days = (end - start).days
    made = 0
    first = Order.objects.filter(reference__startswith=REFERENCE_PREFIX).count()
    with keeping_dates(Order, LineFulfilment, Refund), transaction.atomic():
        while made < lines:
            orders, order_lines = [], []
            while made < lines and len(order_lines) < batch:
                day = start + datetime.timedelta(days=rng.randrange(days))
                placed = datetime.datetime.combine(
                    day, datetime.time(rng.randint(7, 22), rng.randint(0, 59)), tz
                )
                status = _status(rng)
                items = [
                    _line(rng, catalogue, day, tz)
                    for _i in range(min(rng.choice([1, 1, 2, 3]), lines - made))
                ]
                number = first + len(orders) + made
                orders.append(
                    Order(
                        reference=f"{REFERENCE_PREFIX}{number:011d}",
                        user=buyer,
                        status=status,
                        total_fen=sum(item["total_fen"] for item in items),
                        contact_name=buyer.get_full_name() or "Visitor",
                        contact_phone="+86 138 0000 0000",
                        created_at=placed,
                        updated_at=placed,
                        cancelled_at=placed + datetime.timedelta(days=1)
                        if status != OrderStatus.COMPLETED
                        else None,
                        cancelled_by=buyer if status == OrderStatus.CANCELLED else None,
                    )
                )
                order_lines.append(items)
                made += len(items)
            first += len(orders)
            Order.objects.bulk_create(orders)
            _save_batch(rng, orders, order_lines)
        # The households' flags as they stand, as the checkout would have kept them.
        OrderLine.objects.filter(
            order__reference__startswith=REFERENCE_PREFIX,
            seller_id__in=Producer.objects.filter(supported_household=True).values("user_id"),
        ).update(seller_supported=True)
    return made


def _save_batch(rng, orders, order_lines):
    rows = []
    for order, items in zip(orders, order_lines, strict=True):
        rows += [OrderLine(order=order, **item) for item in items]
    OrderLine.objects.bulk_create(rows)
    payments, refunds = [], []
    for order in orders:
        refunded = 0
        if order.status == OrderStatus.REFUNDED:
            refunded = order.total_fen
        elif order.status == OrderStatus.CANCELLED:
            refunded = order.total_fen // 2  # the policy kept half
        elif rng.random() < 0.03:
            refunded = order.total_fen // 5  # a partial refund, the order kept
        payment = Payment(
            order=order,
            provider="on_site",
            amount_fen=order.total_fen,
            status=PaymentStatus.REFUNDED
            if refunded and refunded >= order.total_fen
            else PaymentStatus.PARTIALLY_REFUNDED
            if refunded
            else PaymentStatus.SUCCEEDED,
            refunded_fen=refunded,
            paid_at=order.created_at,
        )
        payments.append(payment)
        if refunded:
            # Dated when the order was given back, not when the history is made: statements count
            # a refund on its day.
            given_back = order.cancelled_at or order.created_at + datetime.timedelta(days=1)
            refunds.append(
                Refund(
                    payment=payment, amount_fen=refunded, reason="generated history", created_at=given_back
                )
            )
    Payment.objects.bulk_create(payments)
    Refund.objects.bulk_create(refunds)
    vouchers, fulfilments = [], []
    for line in rows:
        if (
            line.kind in (ReservationKind.TOUR, ReservationKind.TICKET)
            and line.order.status == OrderStatus.COMPLETED
        ):
            used = line.starts_at if line.starts_at and rng.random() < 0.7 else None
            vouchers.append(Voucher(order_line=line, code=new_voucher_code(), used_at=used))
        elif line.kind == ReservationKind.PRODUCT and line.order.status == OrderStatus.COMPLETED:
            # Past sales were all handed over: none waits in a farmer's list of lines to fulfil.
            done = line.order.created_at + datetime.timedelta(hours=rng.randint(2, 72))
            fulfilments.append(
                LineFulfilment(
                    order_line=line,
                    status=rng.choice([FulfilmentStatus.HANDED_OVER, FulfilmentStatus.SHIPPED]),
                    created_at=done,
                    updated_at=done,
                )
            )
    Voucher.objects.bulk_create(vouchers)
    LineFulfilment.objects.bulk_create(fulfilments)
