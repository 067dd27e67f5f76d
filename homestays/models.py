"""Homestays: the index (a search), homestay pages with their room types, and the rate rules
(price overrides, closures, minimum stays) a host keeps per room type.

Room types are the inventory the reservation core sells (kind "stay"); their primary keys must
stay stable across revisions, so the page never deletes and re-creates them on publish.
"""

import datetime
import secrets

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from accounts.roles import HOSTS
from orders.policies import CancellationPolicy
from town.blocks import BaseStreamBlock
from town.cache import CachedViewRestrictionsMixin
from town.ratings import rating_fields
from town.translations import default_locale

MAX_GUESTS_PER_ROOM = 20


class AmenityCode(models.TextChoices):
    WIFI = "wifi", _("Wi-Fi")
    PARKING = "parking", _("Parking")
    BREAKFAST = "breakfast", _("Breakfast included")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    HEATING = "heating", _("Heating")
    KITCHEN = "kitchen", _("Shared kitchen")
    PETS_ALLOWED = "pets_allowed", _("Pets allowed")
    STEP_FREE = "step_free", _("Step-free access")
    PRIVATE_BATHROOM = "private_bathroom", _("Private bathroom")
    GARDEN = "garden", _("Garden or courtyard")
    FARM_ACTIVITIES = "farm_activities", _("Farm activities")
    AIRPORT_PICKUP = "pickup", _("Pick-up from the station")


class Amenity(models.Model):
    """One of a fixed set (seeded by a data migration); the label is translated from the code, so
    filtering is a join on small integers on every database."""

    code = models.CharField(_("code"), max_length=32, choices=AmenityCode.choices, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        return AmenityCode(self.code).label if self.code in AmenityCode.values else self.code


CANCELLATION_POLICY_EXPLANATIONS = {
    CancellationPolicy.FLEXIBLE: _("Full refund if you cancel at least 24 hours before check-in."),
    CancellationPolicy.MODERATE: _(
        # xgettext:no-python-format
        "Full refund if you cancel at least 5 days before check-in; after that, 50 % is refunded."
    ),
    CancellationPolicy.STRICT: _(
        # xgettext:no-python-format
        "50 % refund if you cancel at least 7 days before check-in; after that, no refund."
    ),
}


class HomestayIndexPage(CachedViewRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["homestays.HomestayPage"]

    class Meta:
        verbose_name = _("homestay index")

    def route(self, request, path_components):
        # A homestay page with its village in one query: Wagtail's own route reads the child as a
        # plain page, then its homestay row, and the page then reads its village.
        if path_components:
            try:
                child = (
                    HomestayPage.objects.child_of(self).select_related("village").get(slug=path_components[0])
                )
            except HomestayPage.DoesNotExist:
                return super().route(request, path_components)
            child._cached_parent_obj = self
            return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        # When serving: views import this module through forms and selectors (a Wagtail page is
        # its own view).
        from . import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.index_context(self, request))
        return context


class HomestayPage(CachedViewRestrictionsMixin, Page):
    summary = models.CharField(_("summary"), max_length=250, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homestays",
        limit_choices_to={"groups__name": HOSTS},
    )
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homestays",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = StreamField(BaseStreamBlock(), verbose_name=_("description"), blank=True)
    amenities = ParentalManyToManyField(Amenity, verbose_name=_("amenities"), blank=True)
    house_rules = models.TextField(_("house rules"), blank=True)
    check_in_time = models.TimeField(_("check-in from"), default=datetime.time(14, 0))
    check_out_time = models.TimeField(_("check-out by"), default=datetime.time(12, 0))
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=16,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.MODERATE,
    )
    accepts_online_payment = models.BooleanField(_("accepts online payment"), default=True)
    accepts_payment_on_site = models.BooleanField(_("accepts payment on site"), default=True)
    contact_phone = models.CharField(
        _("contact phone"),
        max_length=32,
        blank=True,
        help_text=_("Shown only to guests with a confirmed booking."),
    )
    # The published reviews (reviews.services keeps them).
    review_count, rating_average = rating_fields()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        InlinePanel("gallery_images", label=_("Gallery")),
        InlinePanel("room_types", label=_("Room types"), min_num=1),
    ]
    details_panels = [
        FieldPanel("host"),
        FieldPanel("village"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Location"),
        ),
        FieldPanel("amenities", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel([FieldPanel("check_in_time"), FieldPanel("check_out_time")]),
        FieldPanel("house_rules"),
        FieldPanel("cancellation_policy"),
        FieldRowPanel([FieldPanel("accepts_online_payment"), FieldPanel("accepts_payment_on_site")]),
        FieldPanel("contact_phone"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("address"),
        index.FilterField("village"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(details_panels, heading=_("Details")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    parent_page_types = ["homestays.HomestayIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("homestay")
        verbose_name_plural = _("homestays")

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    def get_context(self, request, *args, **kwargs):
        # When serving: views import this module through forms and selectors (a Wagtail page is
        # its own view).
        from . import views

        context = super().get_context(request, *args, **kwargs)
        context.update(views.homestay_context(self, request))
        return context

    @property
    def cancellation_policy_explanation(self):
        return CANCELLATION_POLICY_EXPLANATIONS.get(self.cancellation_policy, "")

    @cached_property
    def inventory_room_types(self):
        """The room types that carry the inventory: this page's in the default locale, or the
        originals a translation was copied from (matched by translation key)."""
        return list(RoomType.objects.canonical_for(self))


class HomestayGalleryImage(Orderable):
    page = ParentalKey(HomestayPage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("gallery image")


def new_ical_token():
    """The secret part of a room type's calendar export address (192 random bits)."""
    return secrets.token_urlsafe(24)


class RoomTypeQuerySet(models.QuerySet):
    def canonical_for(self, page):
        """Inventory rows for ``page``: translations share the default-locale room types."""
        default = default_locale()
        if page.locale_id == default.pk:
            return self.filter(page=page).order_by("sort_order", "pk")
        keys = RoomType.objects.filter(page=page).values("translation_key")
        return self.filter(
            translation_key__in=keys, locale=default, page__translation_key=page.translation_key
        ).order_by("sort_order", "pk")


class RoomType(TranslatableMixin, Orderable):
    page = ParentalKey(HomestayPage, on_delete=models.CASCADE, related_name="room_types")
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    beds = models.CharField(_("beds"), max_length=100, blank=True, help_text=_("For example: 1 double bed"))
    max_guests = models.PositiveSmallIntegerField(
        _("maximum guests"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GUESTS_PER_ROOM)],
    )
    units = models.PositiveSmallIntegerField(
        _("number of rooms"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many identical rooms of this type the homestay has."),
    )
    base_price_fen = models.PositiveIntegerField(_("price per night (fen)"))
    weekend_price_fen = models.PositiveIntegerField(
        _("Friday and Saturday price per night (fen)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the normal price."),
    )
    min_nights = models.PositiveSmallIntegerField(
        _("minimum nights"), default=1, validators=[MinValueValidator(1)]
    )
    # The calendar export URL is public to whoever knows it: the token is its only protection.
    ical_token = models.CharField(
        _("calendar export token"), max_length=64, unique=True, default=new_ical_token, editable=False
    )

    objects = RoomTypeQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("photo"),
        FieldRowPanel([FieldPanel("beds"), FieldPanel("max_guests"), FieldPanel("units")]),
        FieldRowPanel(
            [FieldPanel("base_price_fen"), FieldPanel("weekend_price_fen"), FieldPanel("min_nights")]
        ),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("room type")
        verbose_name_plural = _("room types")
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1), name="homestays_roomtype_units_positive"),
            models.CheckConstraint(
                condition=Q(min_nights__gte=1), name="homestays_roomtype_min_nights_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_guests__gte=1, max_guests__lte=MAX_GUESTS_PER_ROOM),
                name="homestays_roomtype_max_guests_range",
            ),
        ]

    def __str__(self):
        return f"{self.page.title} · {self.name}" if self.page_id else self.name

    def save(self, *args, **kwargs):
        # Copies (page copies, translations) carry the original's token: give each new row its own.
        if self.pk is None and (
            not self.ical_token or RoomType.objects.filter(ical_token=self.ical_token).exists()
        ):
            self.ical_token = new_ical_token()
        super().save(*args, **kwargs)


class RateRuleKind(models.TextChoices):
    PRICE = "price", _("Price override")
    CLOSED = "closed", _("Closed")
    MIN_NIGHTS = "min_nights", _("Minimum nights")


class RoomRateRule(models.Model):
    """A host's rule for a room type over nights start_date..end_date (both included)."""

    room_type = models.ForeignKey(
        RoomType, verbose_name=_("room type"), on_delete=models.CASCADE, related_name="rate_rules"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RateRuleKind.choices)
    start_date = models.DateField(_("first night"))
    end_date = models.DateField(_("last night"))
    price_fen = models.PositiveIntegerField(_("price per night (fen)"), null=True, blank=True)
    min_nights = models.PositiveSmallIntegerField(
        _("minimum nights"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Set on closures imported from an external calendar; the next sync replaces them all.
    source = models.ForeignKey(
        "ExternalCalendar",
        verbose_name=_("imported from"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.CASCADE,
        related_name="closures",
    )
    # Set on the closures staff make when they close a homestay and refund its stays
    # (orders.organiser_cancel): hosts cannot change or remove them, only staff reopen them.
    call_off = models.ForeignKey(
        "orders.CallOff",
        verbose_name=_("closed by the call-off"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldPanel("room_type"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldRowPanel([FieldPanel("price_fen"), FieldPanel("min_nights")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("rate rule")
        verbose_name_plural = _("rates and closures")
        ordering = ["room_type", "start_date", "pk"]
        indexes = [
            models.Index(fields=["room_type", "end_date"]),
            # "Does a closure or a minimum stay shut this room type for these nights" (the search
            # walking its candidates, pricing.blocked_room_types): answered from the index alone.
            models.Index(
                fields=["room_type", "kind", "end_date", "start_date", "min_nights"],
                name="homestays_rule_type_kind_end",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="homestays_raterule_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(kind="price") | Q(price_fen__isnull=False), name="homestays_raterule_price_set"
            ),
            models.CheckConstraint(
                condition=~Q(kind="min_nights") | Q(min_nights__gte=1),
                name="homestays_raterule_min_nights_set",
            ),
        ]

    def __str__(self):
        return f"{self.room_type} · {self.get_kind_display()} {self.start_date}–{self.end_date}"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last night must be on or after the first night.")
        if self.kind == RateRuleKind.PRICE and self.price_fen is None:
            errors["price_fen"] = _("Give the price for these nights.")
        if self.kind == RateRuleKind.MIN_NIGHTS and not self.min_nights:
            errors["min_nights"] = _("Give the minimum number of nights.")
        if errors:
            raise ValidationError(errors)

    def covers(self, night):
        return self.start_date <= night <= self.end_date

    @property
    def held_by_call_off(self) -> bool:
        return self.call_off_id is not None

    @property
    @admin.display(description=_("note"))
    def shown_note(self):
        """The note as hosts read it: a call-off's closure says who closed it and why."""
        if self.call_off_id is not None:
            return _("Closed by the tourism office: %(reason)s") % {"reason": self.call_off.reason}
        return self.note


class ExternalCalendar(models.Model):
    """An iCalendar feed of another platform (Airbnb, Ctrip, ...) whose busy nights close a room
    type here; ``calendar_sync.sync_external_calendar`` keeps its closures up to date."""

    room_type = models.ForeignKey(
        RoomType,
        verbose_name=_("room type"),
        on_delete=models.CASCADE,
        related_name="external_calendars",
    )
    name = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("Where the calendar comes from, e.g. Airbnb, Ctrip, Booking.com."),
    )
    url = models.URLField(
        _("calendar address"),
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The iCalendar (.ics) export address the other platform gives you."),
    )
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    last_event_count = models.PositiveIntegerField(_("events imported"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [FieldPanel("room_type"), FieldPanel("name"), FieldPanel("url")]

    class Meta:
        verbose_name = _("external calendar")
        verbose_name_plural = _("external calendars")
        ordering = ["room_type", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "url"], name="homestays_externalcalendar_unique_url")
        ]

    def __str__(self):
        return f"{self.room_type} · {self.name}" if self.room_type_id else self.name
