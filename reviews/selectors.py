"""Reads of reviews: which of a visitor's order lines they may review now (for "my trips"), and a
thing's published reviews, in one query each whatever the number of lines or reviews."""

from django.db.models import F, Prefetch, Q, prefetch_related_objects

from products.inventory import PRODUCT
from town.cache import cached

from . import photos as review_photos
from . import rules
from .models import Review, ReviewPhoto, ReviewStatus

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
    """The newest published reviews of one thing (any language's copy of it) with their photos.

    Kept in the content cache (``town.cache``), which every publish, rejection, report and reply
    moves on (``services``): a warm page reads no review at all. Cold: one query for the reviews,
    and when some have photos one for the photos with their images and one per photo for its
    renditions, made then if missing."""
    if homestay is not None:
        field, thing = "homestay", homestay
    elif experience is not None:
        field, thing = "experience", experience
    else:
        field, thing = "product", product
    where = {f"{field}__translation_key": thing.translation_key}

    def compute():
        reviews = list(
            Review.objects.filter(status=ReviewStatus.PUBLISHED, **where)
            .select_related("author", "room_type")
            .order_by("-published_at", "-pk")[:limit]
        )
        return with_photos(reviews)

    return cached(("reviews", field, thing.translation_key, limit), compute)


def with_photos(reviews):
    """Reads the photos of those ``reviews`` that have any, each with its ``thumbnail`` and
    ``large`` renditions (``reviews.photos``) made if missing. Nothing is read for the others."""
    having = [review for review in reviews if review.photo_count]
    if having:
        prefetch_related_objects(
            having, Prefetch("photos", queryset=ReviewPhoto.objects.select_related("image"))
        )
        for review in having:
            for photo in review.photos.all():
                renditions = photo.image.get_renditions(review_photos.THUMBNAIL, review_photos.LARGE)
                photo.thumbnail = renditions[review_photos.THUMBNAIL]
                photo.large = renditions[review_photos.LARGE]
    return reviews


def reviews_to_answer(user):
    """The published reviews of what ``user`` hosts, leads or grows (their homestays, the
    experiences they own, their products), unanswered first, in one query."""
    return list(
        Review.objects.filter(status=ReviewStatus.PUBLISHED)
        .filter(Q(homestay__host=user) | Q(experience__owner=user) | Q(product__producer__user=user))
        .select_related("order_line", "room_type")
        .order_by(F("replied_at").asc(nulls_first=True), "-published_at")[:100]
    )
