"""orders' part of a person's data (accounts.personal_data): their orders with lines, payments and
refunds, their waiting-list entries and their basket.

On deletion the orders stay (sales records, the town's reports), their amounts untouched; what
says who bought is removed: the contact's name and phone, the visitor's notes and any address in a
line's options. The waiting list and the basket go altogether. An order still to come (a live line
that starts or ends today or later, in an order still open) stops the deletion:
the visitor cancels it first, or waits until it is over."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import Section, register

from .lines import describing_kind
from .models import ACTIVE_STATUSES, Basket, Order, OrderLine, ReservationKind, WaitlistEntry
from .models.orders import OPEN_STATUSES
from .reservations import local_today

# Keys of a line's options that hold where a person lives or stays (products.lines).
ADDRESS_OPTIONS = ("shipping_address",)

UPCOMING = _(
    "You have bookings or orders still to come. Cancel them in My trips first (or wait until they "
    "are over), then delete your account."
)


def _iso(value):
    return value.isoformat() if value is not None else None


def _line(line):
    voucher = getattr(line, "voucher", None)
    return {
        "kind": line.kind,
        "title": line.title_in(),
        "item": line.item_name_in(),
        "start_date": _iso(line.start_date),
        "end_date": _iso(line.end_date),
        "nights": line.nights,
        "guests": line.guests,
        "quantity": line.quantity,
        "unit_price_fen": line.unit_price_fen,
        "total_fen": line.total_fen,
        # As the visitor sees them: a kind keeps out what only the server reads (a sealed ID).
        "options": describing_kind(line.kind).public_options(line.options or {}),
        "note": line.note,
        "status": str(line.status),
        "cancelled_at": _iso(line.cancelled_at),
        "refund_fen": line.refund_fen,
        "voucher": voucher.code if voucher else None,
    }


def export(user):
    orders = (
        Order.objects.filter(user=user)
        .prefetch_related("lines__voucher", "payments__refunds")
        .order_by("created_at", "pk")
    )
    baskets = Basket.objects.filter(user=user).prefetch_related("lines")
    return {
        "orders": [
            {
                "reference": order.reference,
                "status": order.status,
                "placed_at": _iso(order.created_at),
                "currency": order.currency,
                "total_fen": order.total_fen,
                "contact_name": order.contact_name,
                "contact_phone": order.contact_phone,
                "language": order.language,
                "cancelled_at": _iso(order.cancelled_at),
                "lines": [_line(line) for line in order.lines.all()],
                "payments": [
                    {
                        "provider": payment.provider,
                        "amount_fen": payment.amount_fen,
                        "currency": payment.currency,
                        "status": payment.status,
                        "paid_at": _iso(payment.paid_at),
                        "refunds": [
                            {"amount_fen": r.amount_fen, "at": _iso(r.created_at)}
                            for r in payment.refunds.all()
                        ],
                    }
                    for payment in order.payments.all()
                ],
            }
            for order in orders
        ],
        "waiting_list": [
            {
                "kind": entry.kind,
                "start_date": _iso(entry.start_date),
                "end_date": _iso(entry.end_date),
                "quantity": entry.quantity,
                "status": entry.status,
                "joined_at": _iso(entry.created_at),
            }
            for entry in WaitlistEntry.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "basket": [
            {
                "kind": line.kind,
                "start_date": _iso(line.start_date),
                "end_date": _iso(line.end_date),
                "quantity": line.quantity,
                "options": describing_kind(line.kind).public_options(line.options or {}),
                "note": line.note,
            }
            for basket in baskets
            for line in basket.lines.all()
        ],
    }


def upcoming_lines(user):
    """Live lines of the user's open orders that are not over yet (produce has no date: the
    products app says when it is handed over, products.personal_data)."""
    today = local_today()
    return (
        OrderLine.objects.filter(order__user=user, order__status__in=OPEN_STATUSES, cancelled_at__isnull=True)
        .exclude(kind=ReservationKind.PRODUCT)
        .filter(
            Q(end_date__gte=today)
            | Q(end_date__isnull=True, start_date__gte=today)
            | Q(end_date__isnull=True, start_date__isnull=True)
        )
    )


def blockers(user):
    return [UPCOMING] if upcoming_lines(user).exists() else []


def erase(user):
    from . import waitlist

    for entry_id in WaitlistEntry.objects.filter(user=user, status__in=ACTIVE_STATUSES).values_list(
        "pk", flat=True
    ):
        waitlist.leave(user, entry_id)  # an offer held goes on to the next in line
    WaitlistEntry.objects.filter(user=user).delete()
    Basket.objects.filter(user=user).delete()
    Order.objects.filter(user=user).update(contact_name="", contact_phone="", checkout_token=None)
    for line in OrderLine.objects.filter(order__user=user).only("pk", "options", "note"):
        options = {k: v for k, v in (line.options or {}).items() if k not in ADDRESS_OPTIONS}
        if options != (line.options or {}) or line.note:
            OrderLine.objects.filter(pk=line.pk).update(options=options, note="")


def register_section():
    register(Section("orders", export=export, blockers=blockers, erase=erase))
