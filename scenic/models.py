"""The scenic area's live information: car parks and their free spaces, the counter systems that
report them, facilities on the map (toilets, first aid, charging…) and the notices staff post
(weather, closures). All snippets, edited in the Wagtail admin; the free spaces change through
``scenic.parking`` only."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from town.models import clean_coordinates, coordinate_fields
from town.translations import is_default_language


class BilingualNameMixin:
    """Rows named in Chinese with an optional English name, shown by the visitor's language."""

    @property
    def shown_name(self):
        if not is_default_language() and self.name_en:
            return self.name_en
        return self.name


class CarPark(BilingualNameMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    latitude, longitude = coordinate_fields()
    total_spaces = models.PositiveIntegerField(_("total spaces"))
    # Changed by scenic.parking only (relative, conditional UPDATEs), never by the edit form.
    free_spaces = models.PositiveIntegerField(_("free spaces"), default=0, editable=False)
    counted_at = models.DateTimeField(_("last counted"), null=True, blank=True, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("village"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Location")),
        FieldPanel("total_spaces"),
    ]

    class Meta:
        verbose_name = _("car park")
        verbose_name_plural = _("car parks")
        ordering = ["name", "pk"]
        constraints = [
            # The database refuses what the service refuses, whoever writes.
            models.CheckConstraint(
                condition=Q(free_spaces__lte=F("total_spaces")), name="scenic_car_park_free_within_total"
            ),
        ]
        permissions = [("count_parking", _("Can update the free spaces of car parks"))]

    def __str__(self):
        return self.name

    def clean(self):
        clean_coordinates(self)
        if self.pk and self.total_spaces is not None:
            current = CarPark.objects.filter(pk=self.pk).values_list("free_spaces", flat=True).first()
            if current is not None and current > self.total_spaces:
                raise ValidationError(
                    {
                        "total_spaces": _(
                            "%(free)s spaces are counted free now; the total cannot be below that."
                        )
                        % {"free": current}
                    }
                )

    @property
    def is_full(self):
        return self.free_spaces <= 0


class ParkingCounter(models.Model):
    """A counter system (barrier gate, camera) that reports free spaces through the API. Its token
    is shown once when it is created; only the token's SHA-256 is kept."""

    name = models.CharField(_("name"), max_length=100)
    car_parks = models.ManyToManyField(
        CarPark, verbose_name=_("car parks it counts"), related_name="counters", blank=False
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    panels = [FieldPanel("name"), FieldPanel("car_parks"), FieldPanel("active")]

    class Meta:
        verbose_name = _("parking counter")
        verbose_name_plural = _("parking counters")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class ParkingCountKey(models.Model):
    """One count (a staff press or a counter system's request) by its idempotency key: the same
    key sent again finds the result it had and is not counted twice."""

    key = models.CharField(max_length=64, unique=True)
    car_park = models.ForeignKey(CarPark, on_delete=models.CASCADE, related_name="+")
    # What the count left, answered again to a repeat.
    free = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("parking count")

    def __str__(self):
        return f"{self.car_park_id} {self.key}"


class FacilityKind(models.TextChoices):
    TOILET = "toilet", _("Toilet")
    FIRST_AID = "first_aid", _("First aid")
    CHARGING = "charging", _("Charging point")
    VISITOR_CENTRE = "visitor_centre", _("Visitor centre")
    BUS_STOP = "bus_stop", _("Bus stop")
    DRINKING_WATER = "drinking_water", _("Drinking water")


# A mark of one to three characters drawn on the map pin (site/static/js/map.js).
FACILITY_MARKS = {
    FacilityKind.TOILET: pgettext_lazy("map mark for a toilet", "WC"),
    FacilityKind.FIRST_AID: pgettext_lazy("map mark for first aid", "+"),
    FacilityKind.CHARGING: pgettext_lazy("map mark for a charging point", "EV"),
    FacilityKind.VISITOR_CENTRE: pgettext_lazy("map mark for a visitor centre", "i"),
    FacilityKind.BUS_STOP: pgettext_lazy("map mark for a bus stop", "Bus"),
    FacilityKind.DRINKING_WATER: pgettext_lazy("map mark for drinking water", "H2O"),
}


class Facility(BilingualNameMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    accessible = models.BooleanField(
        _("step-free / accessible"), default=False, help_text=_("For toilets: an accessible toilet.")
    )
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, help_text=_("E.g. 08:00–18:00. Empty: always open.")
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("accessible"),
        FieldPanel("village"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Location")),
        FieldPanel("opening_hours"),
    ]

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["kind", "name", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"

    def clean(self):
        clean_coordinates(self)

    @property
    def mark(self):
        return FACILITY_MARKS[self.kind]


class NoticeKind(models.TextChoices):
    WEATHER = "weather", _("Weather")
    CLOSURE = "closure", _("Closure")
    OTHER = "other", _("Notice")


class NoticeLevel(models.TextChoices):
    INFO = "info", _("For information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Danger")


class NoticeQuerySet(models.QuerySet):
    def current(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), starts_at__lte=now)


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices, default=NoticeKind.WEATHER)
    level = models.CharField(_("level"), max_length=10, choices=NoticeLevel.choices, default=NoticeLevel.INFO)
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("title in English"), max_length=120, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_en = models.TextField(_("text in English"), blank=True)
    starts_at = models.DateTimeField(_("shown from"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("shown until"), null=True, blank=True, help_text=_("Empty: until removed.")
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("level")]),
        MultiFieldPanel([FieldPanel("title"), FieldPanel("text")], heading=_("Chinese")),
        MultiFieldPanel([FieldPanel("title_en"), FieldPanel("text_en")], heading=_("English")),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
    ]

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="scenic_notice_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A notice must end after it starts.")})

    @property
    def shown_title(self):
        return self.title_en if not is_default_language() and self.title_en else self.title

    @property
    def shown_text(self):
        return self.text_en if not is_default_language() and self.text_en else self.text
