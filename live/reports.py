"""Sales per live session, for staff: units and money of the session lines sold (paid or
confirmed orders, lines not cancelled), read from what each order line kept."""

from collections import defaultdict

from orders.models import SOLD_STATUSES, OrderLine
from products.inventory import PRODUCT

from .models import LiveSession, PinnedProduct


def sales_per_session(sessions=None):
    """[(session, {"units", "gross_fen", "orders", "pins"})] newest first, in three queries."""
    sessions = list(
        sessions
        if sessions is not None
        else LiveSession.objects.select_related("producer").order_by("-starts_at")
    )
    pins = PinnedProduct.objects.filter(session__in=sessions).values_list("pk", "session_id", "stock")
    session_of = {pk: session_id for pk, session_id, _stock in pins}
    stock = defaultdict(int)
    for _pk, session_id, pin_stock in pins:
        stock[session_id] += pin_stock
    totals = defaultdict(lambda: {"units": 0, "gross_fen": 0, "orders": set()})
    lines = OrderLine.objects.filter(
        kind=PRODUCT, options__has_key="live_pin", order__status__in=SOLD_STATUSES, cancelled_at__isnull=True
    ).values_list("options", "quantity", "total_fen", "order_id")
    for options, quantity, total_fen, order_id in lines:
        session_id = session_of.get(options.get("live_pin"))
        if session_id is None:
            continue
        totals[session_id]["units"] += quantity
        totals[session_id]["gross_fen"] += total_fen
        totals[session_id]["orders"].add(order_id)
    rows = []
    for session in sessions:
        total = totals[session.pk]
        rows.append(
            (
                session,
                {
                    "units": total["units"],
                    "gross_fen": total["gross_fen"],
                    "orders": len(total["orders"]),
                    "stock": stock[session.pk],
                },
            )
        )
    return rows
