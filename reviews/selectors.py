"""Reads of reviews: which of a visitor's order lines they may review now (for "my trips"), and a
thing's published reviews, in one query each whatever the number of lines or reviews."""

from django.db.models import F, Q, prefetch_related_objects

from products.inventory import PRODUCT

from . import rules
from .models import Review, ReviewStatus

WRITE, WRITTEN = "write", "written"


def review_states(lines, user, *, now=None):
    """{line pk: "write" (may review now) | "written" (reviewed)} for ``lines`` of ``user``'s
    orders (their orders and vouchers already read): one query for the reviews, one for the
    produce's fulfilment when there is produce."""
    lines = [line for line in lines if line.kind in rules.REVIEWED_KINDS and line.cancelled_at is None]
    if not lines or user is None or not user.is_authenticated:
        return {}
    reviewed = set(
        Review.objects.filter(order_line__in=[line.pk for line in lines]).values_list(
            "order_line_id", flat=True
        )
    )
    produce = [line for line in lines if line.kind == PRODUCT and line.pk not in reviewed]
    if produce:
        prefetch_related_objects(produce, "fulfilment")
    states = {}
    for line in lines:
        if line.pk in reviewed:
            states[line.pk] = WRITTEN
        elif rules.eligibility(line, user, now=now, reviewed=False).allowed:
            states[line.pk] = WRITE
    return states


def published_reviews(*, homestay=None, experience=None, product=None, limit=20):
    """The newest published reviews of one thing (any language's copy of it), in one query."""
    if homestay is not None:
        where = {"homestay__translation_key": homestay.translation_key}
    elif experience is not None:
        where = {"experience__translation_key": experience.translation_key}
    else:
        where = {"product__translation_key": product.translation_key}
    return list(
        Review.objects.filter(status=ReviewStatus.PUBLISHED, **where)
        .select_related("author", "room_type")
        .order_by("-published_at", "-pk")[:limit]
    )


def reviews_to_answer(user):
    """The published reviews of what ``user`` hosts, leads or grows (their homestays, the
    experiences they own, their products), unanswered first, in one query."""
    return list(
        Review.objects.filter(status=ReviewStatus.PUBLISHED)
        .filter(Q(homestay__host=user) | Q(experience__owner=user) | Q(product__producer__user=user))
        .select_related("order_line", "room_type")
        .order_by(F("replied_at").asc(nulls_first=True), "-published_at")[:100]
    )
