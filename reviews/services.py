"""What happens to a review: a verified guest writes it (``reviews.rules`` decide whether they
may), staff publish or reject it, anyone may report a published one as abusive (it goes back to
staff), and the host or farmer of the reviewed thing replies once.

Publishing and unpublishing recompute the rating average and count kept on the reviewed homestay,
experience or product (``town.ratings``) in the same transaction, over every language's copy of it
(one translation key), so listings read the rating without reading reviews.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attractions.inventory import TOUR
from attractions.models import ExperiencePage
from homestays.inventory import STAY
from homestays.models import HomestayPage, RoomType
from orders.models import OrderLine
from products.inventory import PRODUCT
from products.models import Product
from products.uploads import PhotoBatch
from town.cache import bump_after_commit

from . import photos as review_photos
from . import rules
from .models import MAX_REPLY, MAX_TEXT, Review, ReviewPhoto, ReviewStatus


class ReviewError(Exception):
    """A step the review's state or the input does not allow; the message is shown as is."""

    status = 422

    def __init__(self, message, code="invalid"):
        self.message = message
        self.code = code
        super().__init__(str(message))


BAD_RATING = _("Give a rating from 1 to 5 stars.")


def clean_rating(rating):
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise ReviewError(BAD_RATING, "bad_rating") from None
    if str(rating).strip() != str(value) or not 1 <= value <= 5:
        raise ReviewError(BAD_RATING, "bad_rating")
    return value


def _subject(line):
    """The reviewed thing's fields for a new review of ``line``."""
    if line.kind == STAY:
        return {
            "homestay": HomestayPage.objects.filter(pk=line.page_id_snapshot).first(),
            "room_type": RoomType.objects.filter(pk=line.object_id).first(),
        }
    if line.kind == TOUR:
        return {"experience": ExperiencePage.objects.filter(pk=line.page_id_snapshot).first()}
    if line.kind == PRODUCT:
        return {"product": Product.objects.filter(pk=line.object_id).first()}
    return {}


def write_review(*, line_id, user, rating, text="", photos=(), now=None):
    """A new pending review of order line ``line_id`` by ``user``, with its ``photos``
    (``CheckedPhoto``s already decoded: ``products.uploads``, the form's ``PhotoUploadsMixin``).

    Raises ``rules.ReviewRefused`` (not their eligible line: 403), ``rules.AlreadyReviewed`` (409)
    or ``ReviewError`` (bad rating, text or too many photos: 422). The line is locked so two tabs
    cannot both write. Rows and files are all written or none: a refusal deletes the files."""
    rating = clean_rating(rating)
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ReviewError(
            _("Please keep the review under %(max)s characters.") % {"max": MAX_TEXT}, "too_long"
        )
    photos = list(photos)
    if len(photos) > review_photos.max_photos():
        raise ReviewError(review_photos.TOO_MANY % {"n": review_photos.max_photos()}, "too_many_photos")
    with PhotoBatch(user) as batch, transaction.atomic():
        review = _write_review(line_id, user, rating, text, now)
        if photos:
            collection = review_photos.review_collection()
            for checked in photos:
                image = batch.store(
                    review_photos.without_metadata(checked),
                    title=f"review {review.pk}",
                    prefix="review",
                    collection=collection,
                )
                ReviewPhoto.objects.create(review=review, image=image)
            review.photo_count = len(photos)
            review.save(update_fields=["photo_count"])
        return review


def _write_review(line_id, user, rating, text, now):
    with transaction.atomic():
        line = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk=line_id)
            .first()
        )
        if line is None:
            raise rules.ReviewRefused(rules.NOT_YOURS, rules.MESSAGES[rules.NOT_YOURS])
        rules.check_may_review(line, user, now=now)
        return Review.objects.create(order_line=line, author=user, rating=rating, text=text, **_subject(line))


def _moderate(review, status, by):
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        was_published = review.status == ReviewStatus.PUBLISHED
        review.status = status
        review.moderated_by = by
        fields = ["status", "moderated_by"]
        if status == ReviewStatus.PUBLISHED:
            review.published_at = timezone.now()
            review.reported_at = None
            fields += ["published_at", "reported_at"]
        review.save(update_fields=fields)
        if was_published != (status == ReviewStatus.PUBLISHED):
            refresh_rating(review)
    return review


def publish_review(review, *, by=None):
    """Staff publish a pending (or reported) review; the thing's rating counts it."""
    return _moderate(review, ReviewStatus.PUBLISHED, by)


def reject_review(review, *, by=None):
    """Staff reject a review (a published one is taken down: the rating stops counting it)."""
    return _moderate(review, ReviewStatus.REJECTED, by)


def report_review(review, *, reason=""):
    """Anyone reports a published review as abusive: it goes back to the staff's queue (pending)
    and stops counting until staff publish it again. Reporting a review not shown does nothing."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status != ReviewStatus.PUBLISHED:
            return review
        review.status = ReviewStatus.PENDING
        review.reported_at = timezone.now()
        review.report_reason = (reason or "").strip()[:500]
        review.save(update_fields=["status", "reported_at", "report_reason"])
        refresh_rating(review)
    return review


def may_reply(review, user):
    """The host of the homestay, the owner of the experience or the farmer of the product."""
    if user is None or not user.is_authenticated:
        return False
    if review.homestay_id:
        return review.homestay.host_id == user.pk
    if review.experience_id:
        return review.experience.owner_id == user.pk
    if review.product_id:
        producer = review.product.producer
        return producer.user_id == user.pk
    return False


def reply_to_review(review, *, text, by):
    """The host or farmer answers a published review, once, publicly."""
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Write a reply first."), "empty")
    if len(text) > MAX_REPLY:
        raise ReviewError(
            _("Please keep the reply under %(max)s characters.") % {"max": MAX_REPLY}, "too_long"
        )
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if not may_reply(review, by):
            raise rules.ReviewRefused("not_yours", _("Only the host or the farmer can reply to this review."))
        if review.status != ReviewStatus.PUBLISHED:
            raise ReviewError(_("Only a published review can be answered."), "not_published")
        if review.replied_at:
            raise ReviewError(_("This review has already been answered."), "already_replied")
        review.reply, review.replied_by, review.replied_at = text, by, timezone.now()
        review.save(update_fields=["reply", "replied_by", "replied_at"])
        bump_after_commit()
    return review


def _target(review):
    """(model, the reviews' field, the thing's translation key) of the reviewed thing."""
    for model, field in ((HomestayPage, "homestay"), (ExperiencePage, "experience"), (Product, "product")):
        if getattr(review, f"{field}_id"):
            try:
                thing = getattr(review, field)
            except ObjectDoesNotExist:
                return None
            return model, field, thing.translation_key
    return None


def refresh_rating(review):
    """Recompute the published count and average on every language's copy of the reviewed thing."""
    target = _target(review)
    if target is None:
        return
    model, field, key = target
    figures = Review.objects.filter(
        status=ReviewStatus.PUBLISHED, **{f"{field}__translation_key": key}
    ).aggregate(count=Count("pk"), average=Avg("rating"))
    average = figures["average"]
    if average is not None:
        average = Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    model.objects.filter(translation_key=key).update(review_count=figures["count"], rating_average=average)
    # Cards, pages and the full-page cache show the rating and the reviews: a queryset update
    # sends no signal, so the content version is moved here.
    bump_after_commit()
