"""Read paths of the reservation core: how much of each thing is claimed right now."""

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db.models import IntegerField, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest

from town.page_cache import shows, stock_tag

from .inventory import get_inventory
from .models import Payment, PaymentStatus, Reservation

# The visitor whose own waiting-list offers are being counted for them (``offers_are_theirs``).
_offers_of: ContextVar[int | None] = ContextVar("offers_of", default=None)


@contextmanager
def offers_are_theirs(user_id):
    """Counts made inside leave out ``user_id``'s waiting-list offers: the units held for them are
    theirs to put in their basket. Only for what that visitor is shown and adds; the checkout
    itself counts every hold and gives the offer up in the same transaction (``waitlist``)."""
    token = _offers_of.set(user_id)
    try:
        yield
    finally:
        _offers_of.reset(token)


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
    if _offers_of.get() is not None:
        claims = claims.exclude(holder_id=_offers_of.get(), waitlist_entry__isnull=False)
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


def most_claimed_on_a_night(kind: str, start: date, end: date, *, of, longest: int, now=None):
    """SQL, for a per-night kind: the most units of the object ``of`` (an expression, usually
    ``OuterRef("pk")``) claimed on any one night of [start, end) by live claims, as
    ``claimed_units`` counts them; 0 without claims. A correlated subquery: a search walking its
    candidates in order reads the claims of those it passes only, each from the index led by the
    object (``orders_res_obj_start_cover``), and stops once its page is filled.

    ``longest``: no claim of the kind is longer than this many nights (the kind's ``validate``
    refuses longer ones), so the claims are found by a bounded range of first nights.
    """
    nights = [start + timedelta(days=i) for i in range((end - start).days)]
    per_night = [
        Sum("quantity", filter=Q(start_date__lte=night, end_date__gt=night), default=0) for night in nights
    ]
    peak = per_night[0] if len(per_night) == 1 else Greatest(*per_night)
    claims = (
        Reservation.objects.live(now)
        .filter(
            kind=kind,
            object_id=of,
            start_date__gt=start - timedelta(days=longest),
            start_date__lt=end,
            end_date__gt=start,
        )
        .order_by()
        .values("object_id")  # one group: the one object
        .annotate(peak=peak)
        .values("peak")
    )
    return Coalesce(Subquery(claims, output_field=IntegerField()), 0)


def on_site_payment_due(order):
    """The payment still to be taken in person for ``order`` (pending, paid on site), or None.

    An order is one payment, so this is the whole order's amount, whatever line is being looked at.
    """
    return (
        Payment.objects.filter(order=order, provider="on_site", status=PaymentStatus.PENDING)
        .order_by("-created_at", "-pk")
        .first()
    )
