"""Bookable experiences (tours: picking, study tours, camping, workshops), their weekly schedules
and the slots visitors book seats on; the "tour" line kind sells them (``attractions.lines``)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index

from orders.policies import CancellationPolicy
from town.blocks import BaseStreamBlock
from town.cache import CachedViewRestrictionsMixin
from town.models import Village
from town.months import MonthsField, clean_months, season_mask, validate_months
from town.ratings import rating_fields
from town.translations import default_locale

from .places import AttractionPage


class ExperienceKind(models.TextChoices):
    PICKING = "picking", _("Picking")
    TEA_STUDY = "tea_study", _("Study tour: tea")
    FARMING_STUDY = "farming_study", _("Study tour: farming")
    CAMPING = "camping", _("Camping")
    CRAFT = "craft", _("Craft workshop")


EXPERIENCE_POLICY_EXPLANATIONS = {
    CancellationPolicy.FLEXIBLE: _("Full refund if you cancel at least 24 hours before the start."),
    CancellationPolicy.MODERATE: _(
        # xgettext:no-python-format
        "Full refund if you cancel at least 5 days before the start; after that, 50 % is refunded."
    ),
    CancellationPolicy.STRICT: _(
        # xgettext:no-python-format
        "50 % refund if you cancel at least 7 days before the start; after that, no refund."
    ),
}


class ExperiencePage(CachedViewRestrictionsMixin, Page):
    """A bookable experience: a picking tour, a tea or farming study tour, a camp, a workshop.

    Its weekly schedule (``schedules``, minus ``closed_dates``) generates ``TourSlot`` rows
    (``attractions.schedules``); visitors book seats on a slot. Camping slots are nights and their
    capacity counts pitches (``people_per_pitch`` people share one).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ExperienceKind.choices)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("One or two sentences for cards."))
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(3 * 24 * 60)],
        help_text=_("For camping: from the afternoon start to the next morning, e.g. 1080 (18 hours)."),
    )
    meeting_point = models.ForeignKey(
        AttractionPage,
        verbose_name=_("meeting point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting_note = models.CharField(
        _("where exactly to meet"), max_length=200, blank=True, help_text=_('For example "at the main gate".')
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiences",
        help_text=_("Empty: the meeting point's village."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), default=0, validators=[MaxValueValidator(99)], help_text=_("0: no minimum.")
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age for children"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(99)],
        help_text=_("For children's workshops; accompanying adults are always welcome. Empty: no limit."),
    )
    child_until_age = models.PositiveSmallIntegerField(
        _("children are younger than"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
        help_text=_("Visitors younger than this pay the child price."),
    )
    free_under_age = models.PositiveSmallIntegerField(
        _("free under age"),
        default=0,
        validators=[MaxValueValidator(18)],
        help_text=_("Children younger than this come free (their age must be given). 0: none are free."),
    )
    what_to_bring = models.TextField(_("what to bring"), blank=True)
    price_adult_fen = models.PositiveIntegerField(_("price per adult (fen)"), default=0)
    price_child_fen = models.PositiveIntegerField(_("price per child (fen)"), default=0)
    capacity = models.PositiveSmallIntegerField(
        _("capacity per slot"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Seats per slot; for camping, pitches per night."),
    )
    people_per_pitch = models.PositiveSmallIntegerField(
        _("people per pitch"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Camping only: how many people share one pitch."),
    )
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=16,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.MODERATE,
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Shown on the attractions index and the home page.")
    )
    # Honey peaches are picked from June to August: no slots are made, and "This month" promotes
    # nothing, outside these months. Empty: all year.
    months_in_season = MonthsField(
        _("months in season"),
        default=list,
        blank=True,
        validators=[validate_months],
        help_text=_("Tours run only in these months. Leave all unticked for all year."),
    )
    # Derived from months_in_season on save (town.months.season_mask).
    season_mask = models.PositiveIntegerField(_("season mask"), default=0, editable=False)
    # The published reviews (reviews.services keeps them).
    review_count, rating_average = rating_fields()

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("duration_minutes"),
                PageChooserPanel("meeting_point", "attractions.AttractionPage"),
                FieldPanel("meeting_note"),
                FieldPanel("village"),
                FieldPanel("what_to_bring"),
            ],
            heading=_("Practical"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("price_adult_fen"), FieldPanel("price_child_fen")]),
                FieldRowPanel([FieldPanel("child_until_age"), FieldPanel("free_under_age")]),
                FieldRowPanel([FieldPanel("min_age"), FieldPanel("max_age")]),
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("people_per_pitch")]),
                FieldPanel("cancellation_policy"),
                FieldPanel("featured"),
            ],
            heading=_("Prices and booking"),
        ),
        FieldPanel("months_in_season"),
        InlinePanel("schedules", label=_("Schedule")),
        InlinePanel("closed_dates", label=_("No tours on these dates")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.AutocompleteField("title"),
        index.FilterField("kind"),
        index.FilterField("featured"),
    ]
    parent_page_types = ["attractions.AttractionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")

    def clean(self):
        super().clean()
        errors = {}
        if self.max_age is not None and self.max_age < self.min_age:
            errors["max_age"] = _("The maximum age cannot be below the minimum age.")
        if self.free_under_age and self.free_under_age > self.child_until_age:
            errors["free_under_age"] = _("Children are free only under the child age.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.months_in_season = clean_months(self.months_in_season)
        self.season_mask = season_mask(self.months_in_season)
        if kwargs.get("update_fields") is not None and "months_in_season" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "season_mask"}
        return super().save(*args, **kwargs)

    def in_season_on(self, day):
        return not self.months_in_season or day.month in self.months_in_season

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from ..selectors import experience_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(experience_page_context(self, request))
        return context

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            # When serving: views import this module (a Wagtail page is its own view).
            from ..views import book_experience

            return book_experience(self, request)
        response = super().serve(request, *args, **kwargs)
        if response.context_data.get("date_invalid"):
            response.status_code = 400  # ?date= that is no date: the page says so, with the picker
        return response

    @property
    def duration_hours(self):
        """The duration in whole hours, rounded (for "about 3 hours")."""
        return max(1, round((self.duration_minutes or 0) / 60))

    @property
    def is_camping(self):
        return self.kind == ExperienceKind.CAMPING

    @property
    def village_id_for_money(self):
        """The village the money reaches: the page's own, else the meeting point's."""
        if self.village_id:
            return self.village_id
        return self.meeting_point.village_id if self.meeting_point_id and self.meeting_point else None

    @property
    def cancellation_policy_explanation(self):
        return EXPERIENCE_POLICY_EXPLANATIONS.get(self.cancellation_policy, "")

    def canonical(self):
        """The default-locale page that owns the slots (a translation shares its original's)."""
        default = default_locale()
        if self.locale_id == default.pk:
            return self
        return (
            ExperiencePage.objects.filter(translation_key=self.translation_key, locale=default).first()
            or self
        )


def parse_start_times(text):
    """ "09:00, 14:30" → [time(9, 0), time(14, 30)], sorted without repeats; ValueError if bad."""
    times = set()
    for part in re.split(r"[,，;；\s]+", text or ""):
        if not part:
            continue
        match = re.fullmatch(r"([01]?\d|2[0-3])[:：]([0-5]\d)", part)
        if not match:
            raise ValueError(part)
        times.add(datetime.time(int(match.group(1)), int(match.group(2))))
    return sorted(times)


WEEKDAY_FIELDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ExperienceSchedule(Orderable):
    """One weekly pattern: these weekdays, these start times, between two dates."""

    page = ParentalKey(ExperiencePage, on_delete=models.CASCADE, related_name="schedules")
    monday = models.BooleanField(_("Mon"), default=True)
    tuesday = models.BooleanField(_("Tue"), default=True)
    wednesday = models.BooleanField(_("Wed"), default=True)
    thursday = models.BooleanField(_("Thu"), default=True)
    friday = models.BooleanField(_("Fri"), default=True)
    saturday = models.BooleanField(_("Sat"), default=True)
    sunday = models.BooleanField(_("Sun"), default=True)
    start_times = models.CharField(
        _("start times"),
        max_length=200,
        help_text=_('24-hour times separated by commas, e.g. "09:00, 14:30".'),
    )
    valid_from = models.DateField(_("from"), null=True, blank=True, help_text=_("Empty: from today."))
    valid_until = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: no end."))

    panels = [
        FieldRowPanel([FieldPanel(name) for name in WEEKDAY_FIELDS], heading=_("Weekdays")),
        FieldPanel("start_times"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self):
        return self.start_times

    def clean(self):
        super().clean()
        errors = {}
        try:
            if not parse_start_times(self.start_times):
                errors["start_times"] = _("Give at least one start time.")
        except ValueError as exc:
            errors["start_times"] = _('"%(value)s" is not a time; write times like 09:00, 14:30.') % {
                "value": exc.args[0]
            }
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end date must not be before the start date.")
        if not any(getattr(self, name) for name in WEEKDAY_FIELDS):
            errors["monday"] = _("Choose at least one weekday.")
        if errors:
            raise ValidationError(errors)

    @property
    def weekdays(self):
        """Python weekday numbers (Monday 0) this pattern runs on."""
        return {number for number, name in enumerate(WEEKDAY_FIELDS) if getattr(self, name)}

    def times(self):
        try:
            return parse_start_times(self.start_times)
        except ValueError:
            return []


class ExperienceClosedDate(Orderable):
    page = ParentalKey(ExperiencePage, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("note")])]

    class Meta(Orderable.Meta):
        verbose_name = _("date without tours")
        verbose_name_plural = _("dates without tours")

    def __str__(self):
        return self.date.isoformat()


class TourSlotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CANCELLED = "cancelled", _("Cancelled")


class TourSlotOrigin(models.TextChoices):
    SCHEDULE = "schedule", _("From the schedule")
    BY_HAND = "by_hand", _("Added by hand")


class TourSlot(models.Model):
    """One departure of an experience (for camping: one night); the "tour" inventory unit.

    Slots made from the weekly schedule (``attractions.schedules``) say so in ``origin``; any
    other is staff's, added by hand, and regenerating the schedule never touches it.
    """

    experience = models.ForeignKey(
        ExperiencePage, verbose_name=_("experience"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1000)],
        help_text=_("Empty: the experience's capacity per slot."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TourSlotStatus.choices, default=TourSlotStatus.OPEN
    )
    origin = models.CharField(
        _("origin"),
        max_length=12,
        choices=TourSlotOrigin.choices,
        default=TourSlotOrigin.BY_HAND,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tour slot")
        verbose_name_plural = _("tour slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["experience", "starts_at"], name="attractions_tourslot_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="attractions_tourslot_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="attractions_tourslot_start")]

    def __str__(self):
        return f"{self.experience_id} @ {self.starts_at.isoformat()}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A slot must end after it starts.")})
        # Seats are counted on the original's slots: a slot on a translation would sell apart.
        if self.experience_id and self.experience.locale_id != Locale.get_default().pk:
            raise ValidationError(
                {"experience": _("Add slots to the experience in the default language, not a translation.")}
            )

    @property
    def effective_capacity(self):
        """Units this slot can sell: 0 when cancelled, else its own or the experience's capacity."""
        if self.status == TourSlotStatus.CANCELLED:
            return 0
        return self.capacity if self.capacity is not None else self.experience.capacity
