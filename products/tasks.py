"""Background work of the farmers' shop: the renditions of farmers' photos, made off the request path.

A stored photo (``products.uploads.PhotoBatch``) queues ``make_photo_renditions`` when its
transaction commits and marks itself pending in the cache. The task makes every rendition the
dashboard and the shop show for that kind of photo, so those pages find them ready. While a
photo is pending, the dashboard shows a placeholder rather than making them itself
(``products.templatetags.photo_tags``); after ``PENDING_SECONDS`` without the worker, pages make
them as Wagtail always does, so a stopped worker costs time, never a photo.
"""

from django.core.cache import cache
from django_tasks import task
from wagtail.images import get_image_model

from .certificates import reindex_changed_certificates
from .dashboard.selectors import THUMBNAIL
from .selectors import CARD_RENDITIONS, DETAIL_RENDITIONS

PRODUCER_THUMBNAIL = "fill-160x160|format-webp"
# Every spec our templates ask for, per kind of photo (the tags' specs joined with "|").
RENDITIONS = {
    # dashboard list and form, shop cards and the API, product page
    "product": tuple(dict.fromkeys((THUMBNAIL, *CARD_RENDITIONS, *DETAIL_RENDITIONS))),
    # dashboard profile and product page; the staff review page asks for it without a format
    "producer": (PRODUCER_THUMBNAIL, "fill-160x160"),
}
PENDING_SECONDS = 10 * 60


def _pending_key(image_id):
    return f"products:renditions-pending:{image_id}"


def queue_renditions(image_id, kind):
    """Mark the photo pending and queue its renditions (call it once its row is committed)."""
    if kind not in RENDITIONS:
        raise ValueError(f"unknown kind of photo: {kind}")
    cache.set(_pending_key(image_id), kind, PENDING_SECONDS)
    make_photo_renditions.enqueue(image_id, kind)


def renditions_pending(image_id):
    return cache.get(_pending_key(image_id)) is not None


@task()
def make_photo_renditions(image_id: int, kind: str) -> None:
    """Make the renditions of one photo, one at a time: a single decoded original in memory."""
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is not None:
        for spec in RENDITIONS[kind]:
            image.get_rendition(spec)
    cache.delete(_pending_key(image_id))


@task()
def reindex_changed_certificates_daily() -> dict:
    """Daily, just after midnight (say 00:10): re-index the products whose certificates expired or
    began since the last run (``products.certificates``; the command
    ``products_reindex_certificates`` does the same)."""
    result = reindex_changed_certificates()
    return {
        "since": result.since.isoformat(),
        "through": result.through.isoformat(),
        "products": result.products,
    }
