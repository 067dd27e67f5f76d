"""Reviews from verified guests: one per order line (a stay, a tour attended, produce received),
rated 1–5, published only after staff moderation, answered once by the host or farmer.

Who may review what and when is decided in ``reviews.rules``; what happens to a review in
``reviews.services``, which also keeps the rating average and count on the reviewed thing."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_TEXT = 2000
MAX_REPLY = 1000


class ReviewStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("review", "Waiting for moderation")
    PUBLISHED = "published", pgettext_lazy("review", "Published")
    REJECTED = "rejected", pgettext_lazy("review", "Rejected")


class Review(models.Model):
    order_line = models.OneToOneField(
        "orders.OrderLine", verbose_name=_("order line"), on_delete=models.CASCADE, related_name="review"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.CASCADE, related_name="reviews"
    )
    # The thing reviewed: exactly one of these, by the line's kind.
    homestay = models.ForeignKey(
        "homestays.HomestayPage",
        verbose_name=_("homestay"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    room_type = models.ForeignKey(
        "homestays.RoomType",
        verbose_name=_("room type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    experience = models.ForeignKey(
        "attractions.ExperiencePage",
        verbose_name=_("experience"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product = models.ForeignKey(
        "products.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"), max_length=MAX_TEXT, blank=True)
    # Kept with the review (it never changes after writing) so a list of reviews without photos
    # asks for none.
    photo_count = models.PositiveSmallIntegerField(_("photos"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when someone reported a published review as abusive: it went back to the queue.
    reported_at = models.DateTimeField(_("reported as abusive at"), null=True, blank=True)
    report_reason = models.CharField(_("reason given"), max_length=500, blank=True)
    reply = models.TextField(_("reply"), max_length=MAX_REPLY, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="reviews_review_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["homestay", "status"], name="reviews_homestay_status"),
            models.Index(fields=["experience", "status"], name="reviews_experience_status"),
            models.Index(fields=["product", "status"], name="reviews_product_status"),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.subject_name}"

    @property
    def subject_name(self):
        return self.order_line.title if self.order_line_id else ""

    @property
    def stars(self):
        return "★" * self.rating + "☆" * (5 - self.rating)


class ReviewPhoto(models.Model):
    """A guest's photo on their review: a Wagtail image (renditions for the thumbnails) in the
    "Review photos" collection, shown only with its published review (``reviews.photos``)."""

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")

    def __str__(self):
        return f"{self.review_id} · {self.image_id}"
