"""Timed entry to scenic spots and how crowded they are.

* ``EntryRule``: one per spot (an attraction page) that takes reservations: price, real name,
  opening hours cut into windows, a cap per window and per day, the weekdays and season.
* ``EntryDay`` and ``EntryWindow``: the rows the reservation core locks and counts, made ahead
  by ``gates.schedules.generate_windows`` (as tour slots are); a line claims one unit of its
  window and one of its day per person, so both caps hold under the same locks.
* ``EntryPass``: one row per (spot, day, ID fingerprint), unique in the database, with a
  capacity of one: a real-name line claims it for each holder, so an ID has one live entry per
  spot per day; a cancelled or lapsed entry frees it through the reservation core like any seat.
* ``SpotCrowd`` and ``CrowdSample``: people on site now, and each quarter hour's figure.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Locale

from attractions.models import AttractionPage
from orders.policies import CancellationPolicy

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class EntryRule(models.Model):
    spot = models.OneToOneField(
        AttractionPage, verbose_name=_("scenic spot"), on_delete=models.CASCADE, related_name="entry_rule"
    )
    active = models.BooleanField(_("taking reservations"), default=True)
    price_fen = models.PositiveIntegerField(
        _("price per person (fen)"), default=0, help_text=_("0: free entry, reservation only.")
    )
    real_name = models.BooleanField(
        _("real name"),
        default=False,
        help_text=_("Each visitor gives a name and an ID card or passport number."),
    )
    opens_at = models.TimeField(_("first entry"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("last window ends"), default=datetime.time(17, 0))
    window_minutes = models.PositiveSmallIntegerField(
        _("window length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    per_window = models.PositiveIntegerField(
        _("cap per window"), default=100, validators=[MaxValueValidator(100000)]
    )
    per_day = models.PositiveIntegerField(
        _("cap per day"), default=800, validators=[MaxValueValidator(1000000)]
    )
    max_per_booking = models.PositiveSmallIntegerField(
        _("people per booking at most"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    monday = models.BooleanField(_("Monday"), default=True)
    tuesday = models.BooleanField(_("Tuesday"), default=True)
    wednesday = models.BooleanField(_("Wednesday"), default=True)
    thursday = models.BooleanField(_("Thursday"), default=True)
    friday = models.BooleanField(_("Friday"), default=True)
    saturday = models.BooleanField(_("Saturday"), default=True)
    sunday = models.BooleanField(_("Sunday"), default=True)
    season_from = models.DateField(_("season from"), null=True, blank=True, help_text=_("Empty: all year."))
    season_until = models.DateField(_("season until"), null=True, blank=True)
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=16,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.FLEXIBLE,
    )

    panels = [
        FieldPanel("spot"),
        FieldRowPanel([FieldPanel("active"), FieldPanel("real_name")]),
        FieldRowPanel([FieldPanel("price_fen"), FieldPanel("cancellation_policy")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("opens_at"), FieldPanel("closes_at"), FieldPanel("window_minutes")]
                ),
                FieldRowPanel(
                    [FieldPanel("per_window"), FieldPanel("per_day"), FieldPanel("max_per_booking")]
                ),
                FieldRowPanel([FieldPanel(day) for day in WEEKDAYS]),
                FieldRowPanel([FieldPanel("season_from"), FieldPanel("season_until")]),
            ],
            heading=_("Windows and caps"),
        ),
    ]

    class Meta:
        verbose_name = _("timed entry")
        verbose_name_plural = _("timed entries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="gates_rule_closes_after"
            ),
        ]

    def __str__(self):
        return str(self.spot.title) if self.spot_id else "—"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The last window must end after the first one starts.")})
        if self.per_window and self.per_day and self.per_window > self.per_day:
            raise ValidationError({"per_window": _("A window cannot take more people than the whole day.")})
        if self.season_from and self.season_until and self.season_until < self.season_from:
            raise ValidationError({"season_until": _("The season must end after it starts.")})
        # Windows are counted on the original page: a rule on a translation would sell apart.
        if self.spot_id and self.spot.locale_id != Locale.get_default().pk:
            raise ValidationError({"spot": _("Choose the spot in the default language.")})

    @property
    def weekdays(self) -> set[int]:
        return {i for i, name in enumerate(WEEKDAYS) if getattr(self, name)}

    def open_on(self, day) -> bool:
        if day.weekday() not in self.weekdays:
            return False
        if self.season_from and day < self.season_from:
            return False
        return not (self.season_until and day > self.season_until)


class EntryDay(models.Model):
    """A day of a spot's timed entry: carries the day's cap."""

    rule = models.ForeignKey(EntryRule, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("entry day")
        constraints = [models.UniqueConstraint(fields=["rule", "date"], name="gates_day_unique")]

    def __str__(self):
        return f"{self.rule_id} {self.date}"

    @property
    def capacity(self):
        return self.rule.per_day if self.rule.active else 0


class EntryWindow(models.Model):
    """One entry window of a day (09:00–10:00): carries the window's cap."""

    rule = models.ForeignKey(EntryRule, on_delete=models.CASCADE, related_name="windows")
    day = models.ForeignKey(EntryDay, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("entry window")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "starts_at"], name="gates_window_unique_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="gates_window_ends_after"
            ),
        ]

    def __str__(self):
        return f"{self.rule_id} @ {self.starts_at.isoformat()}"

    @property
    def capacity(self):
        return self.rule.per_window if self.rule.active else 0


class EntryPass(models.Model):
    """One document's right to enter one spot on one day: capacity one, so claimed once."""

    rule = models.ForeignKey(EntryRule, on_delete=models.CASCADE, related_name="passes")
    date = models.DateField(_("date"))
    # HMAC-SHA256 of the document (gates.idcards.fingerprint): no number is readable from it.
    id_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "date", "id_hash"], name="gates_pass_one_per_id_day")
        ]

    def __str__(self):
        return f"{self.rule_id} {self.date} {self.id_hash[:8]}"


class CrowdLevel(models.TextChoices):
    COMFORTABLE = "comfortable", _("Comfortable")
    BUSY = "busy", _("Busy")
    FULL = "full", _("Full")


class SpotCrowd(models.Model):
    """How many people are on a spot now, and what counts as comfortable and full there."""

    spot = models.OneToOneField(
        AttractionPage, verbose_name=_("scenic spot"), on_delete=models.CASCADE, related_name="crowd"
    )
    people = models.PositiveIntegerField(_("people on site"), default=0)
    comfortable = models.PositiveIntegerField(_("comfortable up to"), default=200)
    maximum = models.PositiveIntegerField(_("maximum capacity"), default=500)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    panels = [
        FieldPanel("spot"),
        FieldRowPanel([FieldPanel("comfortable"), FieldPanel("maximum")]),
        FieldPanel("people"),
    ]

    class Meta:
        verbose_name = _("crowding")
        verbose_name_plural = _("crowding")
        permissions = [("count_people", _("Can count people at a spot's gate"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(maximum__gte=models.F("comfortable")),
                name="gates_crowd_max_over_comfortable",
            ),
        ]

    def __str__(self):
        return str(self.spot.title) if self.spot_id else "—"

    def clean(self):
        super().clean()
        if self.maximum is not None and self.comfortable is not None and self.maximum < self.comfortable:
            raise ValidationError({"maximum": _("The maximum cannot be below the comfortable number.")})

    @property
    def level(self):
        return crowd_level(self.people, self.comfortable, self.maximum)


def crowd_level(people, comfortable, maximum) -> str:
    if maximum and people >= maximum:
        return CrowdLevel.FULL
    if people > comfortable:
        return CrowdLevel.BUSY
    return CrowdLevel.COMFORTABLE


class CrowdSample(models.Model):
    """A spot's people in one quarter hour (the highest and the last count), written as counts
    change, so the history needs no cron."""

    spot = models.ForeignKey(AttractionPage, on_delete=models.CASCADE, related_name="crowd_samples")
    quarter = models.DateTimeField(_("quarter hour"))
    people_max = models.PositiveIntegerField(default=0)
    people_last = models.PositiveIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("crowd sample")
        ordering = ["spot", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["spot", "quarter"], name="gates_sample_one_per_quarter")
        ]

    def __str__(self):
        return f"{self.spot_id} {self.quarter.isoformat()} {self.people_last}"


class CrowdCountKey(models.Model):
    """One press of a staff counter (+1, −1, a typed count), by the key its page made for it: a
    press sent again (a retry over poor signal) finds its key and is not counted twice."""

    key = models.CharField(max_length=64, unique=True)
    spot = models.ForeignKey(AttractionPage, on_delete=models.CASCADE, related_name="+")
    # The head count the press left, answered again to a repeat.
    people = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("counter press")

    def __str__(self):
        return f"{self.spot_id} {self.key}"
