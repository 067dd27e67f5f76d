"""Read paths of the reservation core: how much of each thing is claimed right now."""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Sum

from town.page_cache import shows, stock_tag

from .inventory import get_inventory
from .models import Payment, PaymentStatus, Reservation


def claimed_units(
    kind: str, obj_ids: list[int], start: date | None = None, end: date | None = None, *, now=None
) -> Counter:
    """Live claimed quantity, in one query.

    Per-night kinds (stays): ``{(obj_id, night): qty}`` for the nights in [start, end), which are
    required. Other kinds: ``{obj_id: qty}`` (dates ignored). The result is a Counter, so a key
    with no claim reads as 0.
    """
    per_night = get_inventory(kind).per_night
    # A cached page showing this count is cleared when one of these things is booked.
    shows(*(stock_tag(kind, obj_id) for obj_id in obj_ids))
    claims = Reservation.objects.live(now).filter(kind=kind, object_id__in=list(obj_ids))
    result = Counter()
    if not per_night:
        rows = claims.values_list("object_id").annotate(total=Sum("quantity")).order_by()
        for obj_id, total in rows:
            result[obj_id] = total
        return result
    if start is None or end is None:
        raise ValueError(f"claimed_units({kind!r}) needs start and end: the kind is counted per night.")
    # One row per distinct stay span, spread over its nights here: far fewer rows than nights.
    rows = (
        claims.for_nights(start, end)
        .values_list("object_id", "start_date", "end_date")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for obj_id, claim_start, claim_end, total in rows:
        night = max(claim_start, start)
        last = min(claim_end, end)
        while night < last:
            result[(obj_id, night)] += total
            night += timedelta(days=1)
    return result


def on_site_payment_due(order):
    """The payment still to be taken in person for ``order`` (pending, paid on site), or None.

    An order is one payment, so this is the whole order's amount, whatever line is being looked at.
    """
    return (
        Payment.objects.filter(order=order, provider="on_site", status=PaymentStatus.PENDING)
        .order_by("-created_at", "-pk")
        .first()
    )
