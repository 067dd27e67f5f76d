"""The farmers' shop: producers (farmers), their products with photos, the town's shipping rates,
the fulfilment of product order lines, and the routable shop page.

A product is a snippet, not a page, so a farmer can create one without page rights; it has drafts,
revisions, locking and the "Product moderation" workflow, and only live (published) products
are sold. Products are the reservation core's "product" inventory (see ``products.inventory``);
their primary keys are what order lines and reservations point at, so translations (English
names) are separate rows linked by translation key and the default-locale row carries the stock.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    Page,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from town.cache import CachedViewRestrictionsMixin

# The months in season, shared with the picking tours; kept importable from here.
from town.months import MONTH_NAMES, MONTHS, MonthsField, clean_months, season_mask, validate_months  # noqa: F401
from town.ratings import rating_fields

MAX_PRICE_FEN = 10_000_000  # ¥100,000: anything above is a typo


class ProducerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Producer(models.Model):
    """A farmer who sells through the shop. ``supported_household`` and ``staff_notes`` are for the
    tourism office only: never shown publicly, never in the API (reports use them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="producer"
    )
    display_name = models.CharField(_("display name"), max_length=100)
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="producers",
    )
    story = models.TextField(_("story"), blank=True, help_text=_("Who you are and how you farm."))
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=32)
    pickup_address = models.CharField(_("pickup address"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProducerStatus.choices,
        default=ProducerStatus.APPLIED,
        db_index=True,
    )
    # What staff tell the farmer about the decision (shown to the farmer, not the public).
    status_note = models.TextField(_("message to the producer"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supported_household = models.BooleanField(
        _("low-income household in the town's programme"),
        default=False,
        help_text=_("Staff only: never shown publicly; used by the town's reports."),
    )
    staff_notes = models.TextField(_("staff notes"), blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("user"),
        FieldPanel("display_name"),
        FieldPanel("village"),
        FieldPanel("story"),
        FieldPanel("photo"),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("pickup_address")]),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("status_note"),
                FieldPanel("supported_household"),
                FieldPanel("staff_notes"),
            ],
            heading=_("Staff only"),
        ),
    ]

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["display_name", "pk"]

    def __str__(self):
        return self.display_name

    @property
    def is_verified(self):
        return self.status == ProducerStatus.VERIFIED


class ProductCategory(models.TextChoices):
    FRUIT = "fruit", _("Fruit")
    VEGETABLES = "vegetables", _("Vegetables")
    TEA = "tea", _("Tea")
    RICE_AND_GRAIN = "rice_grain", _("Rice and grain")
    MEAT_AND_EGGS = "meat_eggs", _("Meat and eggs")
    CRAFTS = "crafts", _("Crafts")
    PROCESSED_FOOD = "processed", _("Processed food")


class ProductUnit(models.TextChoices):
    JIN = "jin", _("jin (斤, 500 g)")
    KG = "kg", _("kg")
    BOX = "box", _("box")
    PIECE = "piece", _("piece")


class ProductQuerySet(models.QuerySet):
    def live(self):
        """Products on sale: published, by a verified producer."""
        return self.filter(live=True, producer__status=ProducerStatus.VERIFIED)


class Product(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    TranslatableMixin,
    index.Indexed,
    ClusterableModel,
):
    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=16, choices=ProductCategory.choices)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=ProductUnit.choices, default=ProductUnit.JIN)
    price_fen = models.PositiveIntegerField(
        _("price per unit (fen)"), validators=[MinValueValidator(1)], help_text=_("In fen: ¥12.50 is 1250.")
    )
    # The total put on sale; the reservation core subtracts live claims (see products.inventory).
    stock = models.PositiveIntegerField(_("stock"), default=0, help_text=_("How many units you can sell."))
    months_in_season = MonthsField(
        _("months in season"), default=list, blank=True, validators=[validate_months]
    )
    # Derived from months_in_season on save (see season_mask).
    season_mask = models.PositiveIntegerField(_("season mask"), default=0, editable=False)
    origin_village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village of origin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    video_url = models.URLField(
        _("video or live-stream link"),
        blank=True,
        help_text=_("Optional: a video of the farm or a live stream."),
    )
    offers_pickup = models.BooleanField(_("pickup at the visitor centre"), default=True)
    offers_homestay_delivery = models.BooleanField(_("delivery to the visitor's homestay"), default=False)
    offers_shipping = models.BooleanField(_("shipping"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The published reviews (reviews.services keeps them).
    review_count, rating_average = rating_fields()

    objects = ProductQuerySet.as_manager()

    panels = [
        FieldPanel("producer"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("unit")]),
        FieldPanel("description"),
        InlinePanel("photos", label=_("Photos")),
        FieldRowPanel([FieldPanel("price_fen"), FieldPanel("stock")]),
        FieldPanel("months_in_season"),
        FieldPanel("origin_village"),
        FieldPanel("video_url"),
        MultiFieldPanel(
            [
                FieldPanel("offers_pickup"),
                FieldPanel("offers_homestay_delivery"),
                FieldPanel("offers_shipping"),
            ],
            heading=_("Delivery"),
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("description"),
        index.AutocompleteField("name"),
        index.FilterField("category"),
        index.FilterField("live"),
        index.FilterField("locale_id"),
        index.FilterField("origin_village_id"),
        index.FilterField("price_fen"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["live", "category"], name="products_live_category")]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="products_product_stock_non_negative"),
            models.CheckConstraint(
                condition=Q(price_fen__gte=1, price_fen__lte=MAX_PRICE_FEN),
                name="products_product_price_range",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        try:
            self.months_in_season = clean_months(self.months_in_season)
        except ValidationError:
            self.months_in_season = []
        self.season_mask = season_mask(self.months_in_season)
        if kwargs.get("update_fields") is not None and "months_in_season" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "season_mask"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Selectors import this module.
        from .selectors import product_url

        return product_url(self)

    @property
    def slug(self):
        return slugify(self.name, allow_unicode=True) or "product"

    @property
    def delivery_options(self):
        options = []
        if self.offers_pickup:
            options.append("pickup")
        if self.offers_homestay_delivery:
            options.append("homestay")
        if self.offers_shipping:
            options.append("shipping")
        return options

    def in_season(self, month):
        return month in (self.months_in_season or [])

    def clean(self):
        super().clean()
        if not (self.offers_pickup or self.offers_homestay_delivery or self.offers_shipping):
            raise ValidationError(_("Offer at least one way to get the product to the buyer."))


class ProductPhoto(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")


class PhotoUpload(models.Model):
    """Pixels a user sent to be decoded in one request: the hourly upload limit sums these rows.

    Written before the photos are decoded, so a request whose photos then turn out broken still
    counts (its cost was paid); rows older than the window are removed on the user's next upload.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    pixels = models.PositiveBigIntegerField(_("pixels"))
    photos = models.PositiveSmallIntegerField(_("photos"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo upload")
        verbose_name_plural = _("photo uploads")
        indexes = [models.Index(fields=["user", "created_at"], name="products_photoupload_recent")]

    def __str__(self):
        return f"{self.user_id} {self.pixels} px {self.created_at:%Y-%m-%d %H:%M}"


BATCH_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a label
BATCH_CODE_LENGTH = 8


def new_batch_code():
    import secrets

    return "".join(secrets.choice(BATCH_CODE_ALPHABET) for _i in range(BATCH_CODE_LENGTH))


class Batch(models.Model):
    """One harvest (or production run) of a product: what the QR code on its packages opens.

    ``code`` is short and random (not the pk), so codes cannot be counted or guessed in order.
    Batches hang on the product's default-locale row (the one order lines point at)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="batches"
    )
    code = models.CharField(_("code"), max_length=16, unique=True, default=new_batch_code, editable=False)
    harvested_on = models.DateField(_("harvest or production date"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=ProductUnit.choices, default=ProductUnit.JIN)
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village of origin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
    )
    plot = models.CharField(
        _("plot"), max_length=120, blank=True, help_text=_("Which field, terrace or garden.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldPanel("product"),
        FieldRowPanel([FieldPanel("harvested_on"), FieldPanel("quantity"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("village"), FieldPanel("plot")]),
        FieldPanel("notes"),
    ]

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-harvested_on", "-pk"]
        indexes = [models.Index(fields=["product", "-harvested_on", "-id"], name="products_batch_latest")]

    def __str__(self):
        return f"{self.product} · {self.harvested_on:%Y-%m-%d} · {self.code}"

    def clean(self):
        super().clean()
        if self.harvested_on and self.harvested_on > timezone.localdate():
            raise ValidationError({"harvested_on": _("The harvest date cannot be in the future.")})


class CertificationKind(models.TextChoices):
    GREEN_FOOD = "green_food", _("Green food (绿色食品)")
    ORGANIC = "organic", _("Organic (有机)")
    GEOGRAPHICAL_INDICATION = "geo_indication", _("Geographical indication (地理标志)")
    POLLUTION_FREE = "pollution_free", _("Pollution-free (无公害)")
    OTHER = "other", _("Other")


class CertificationQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day, valid_until__gte=day)

    def for_product(self, product):
        """The producer's certificates that cover ``product``: its own and the producer-wide ones."""
        return self.filter(
            Q(product_id=product.pk) | Q(product__isnull=True), producer_id=product.producer_id
        )


class Certification(models.Model):
    """A certificate a producer holds, for one of their products (or, with no product, for all of
    them). Its badge shows only between ``valid_from`` and ``valid_until``."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.CASCADE, related_name="certifications"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certifications",
        help_text=_("Leave empty when the certificate covers all of the producer's products."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificationKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Required for other kinds."))
    number = models.CharField(_("certificate number"), max_length=64)
    issuer = models.CharField(_("issued by"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image of the certificate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificationQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("producer"), FieldPanel("product")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("number"), FieldPanel("issuer")]),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
        FieldPanel("image"),
    ]

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["kind", "-valid_until", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="products_certification_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.number}"

    @property
    def label(self):
        if self.kind == CertificationKind.OTHER and self.name:
            return self.name
        return self.get_kind_display()

    def is_valid_on(self, day):
        return self.valid_from <= day <= self.valid_until

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end of validity cannot be before its start.")
        if self.kind == CertificationKind.OTHER and not self.name.strip():
            errors["name"] = _("Name the certificate.")
        if self.product_id and self.producer_id and self.product.producer_id != self.producer_id:
            errors["product"] = _("The product is not this producer's.")
        if errors:
            raise ValidationError(errors)


class CertificationSweep(models.Model):
    """The days the daily sweep of certificates (``products.certificates``) has covered: each
    run re-indexes the products whose certificates expired or began since the last one."""

    through = models.DateField(_("covered through"), unique=True)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    products = models.PositiveIntegerField(_("products re-indexed"), default=0)

    class Meta:
        ordering = ["-through"]
        verbose_name = _("certificate sweep")
        verbose_name_plural = _("certificate sweeps")

    def __str__(self):
        return self.through.isoformat()


class ShippingRate(models.Model):
    """A flat shipping fee per destination region, town-wide: the visitor centre hands all parcels
    to one courier, so staff keep one short table instead of every farmer pricing postage."""

    region = models.CharField(_("region"), max_length=100, unique=True)
    fee_fen = models.PositiveIntegerField(_("fee (fen)"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    panels = [FieldPanel("region"), FieldPanel("fee_fen"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("shipping rate")
        verbose_name_plural = _("shipping rates")
        ordering = ["sort_order", "region"]

    def __str__(self):
        return self.region


class FulfilmentStatus(models.TextChoices):
    PACKED = "packed", _("Packed")
    HANDED_OVER = "handed_over", _("Handed over")
    SHIPPED = "shipped", _("Shipped")


class LineFulfilment(models.Model):
    """How far the farmer got with one product order line (no row yet: not packed)."""

    order_line = models.OneToOneField(
        "orders.OrderLine", verbose_name=_("order line"), on_delete=models.CASCADE, related_name="fulfilment"
    )
    status = models.CharField(_("status"), max_length=16, choices=FulfilmentStatus.choices)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("line fulfilment")
        verbose_name_plural = _("line fulfilments")

    def __str__(self):
        return f"{self.order_line_id}: {self.status}"


class ShopPage(CachedViewRestrictionsMixin, RoutablePageMixin, Page):
    """The shop: a filtered, sorted list of live products and each product's detail page."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("shop")

    def get_sitemap_urls(self, request=None):
        """The shop and every product on sale (products are not pages, so they are added here)."""
        # Selectors import this module.
        from .selectors import on_sale

        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if not base:
            return urls
        for pk, name, updated_at in on_sale().values_list("pk", "name", "updated_at").order_by("pk"):
            slug = slugify(name, allow_unicode=True) or "product"
            urls.append({"location": f"{base}{pk}/{slug}/", "lastmod": updated_at})
        return urls

    @path("")
    def product_list(self, request):
        # When serving: views import this module (a Wagtail page is its own view).
        from . import views

        return views.product_list(request, self)

    @path("batch/<str:code>/")
    def batch_detail(self, request, code):
        # When serving: views import this module (a Wagtail page is its own view).
        from . import views

        return views.batch_detail(request, self, code)

    @path("<int:product_id>/")
    @path("<int:product_id>/<str:slug>/")
    def product_detail(self, request, product_id, slug=None):
        # When serving: views import this module (a Wagtail page is its own view).
        from . import views

        return views.product_detail(request, self, product_id)
