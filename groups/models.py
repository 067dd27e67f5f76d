"""Group and study-tour bookings (研学与团队).

* ``StudyProgrammeIndexPage`` and ``StudyProgrammePage``: the study-tour programmes (研学课程)
  schools choose from — goals, age groups, days, what is included, safety, the experiences and
  meals each day, a price per pupil per day with group tiers.
* ``GroupEnquiry``: a school's, company's or association's request (no account needed; the
  contact's mobile number proven by a texted code), with a private reference.
* ``Quote`` and ``QuoteLine``: what the office offers a group, built from real inventory — room
  nights (homestays), tour slots (attractions), entry windows (gates) — plus meals and transport
  as priced lines, each on a day with a group price; sent as a private link with a validity date.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from attractions.models import TourSlot
from gates.models import EntryWindow
from homestays.models import RoomType
from town.cache import CachedViewRestrictionsMixin
from town.models import Village
from town.months import MONTH_NAMES, MonthsField, clean_months, season_mask, validate_months

from .stages import AgeGroupsField, age_mask, clean_age_groups, validate_age_groups

MAX_DAYS = 14


class StudyProgrammeIndexPage(CachedViewRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["groups.StudyProgrammePage"]

    class Meta:
        verbose_name = _("study-tour index")

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from .selectors import programme_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(programme_index_context(self, request))
        return context


class StudyProgrammePage(CachedViewRestrictionsMixin, Page):
    """A study-tour programme (研学课程): what pupils learn over how many days, for which ages,
    and the price per pupil per day, lower for larger groups (``price_tiers``)."""

    intro = models.TextField(_("introduction"), blank=True, help_text=_("One or two sentences for cards."))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    learning_goals = RichTextField(_("learning goals"), features=["bold", "ol", "ul"])
    age_groups = AgeGroupsField(
        _("age groups"),
        default=list,
        validators=[validate_age_groups],
        help_text=_("Who the programme suits."),
    )
    # Derived from age_groups on save (stages.age_mask).
    age_mask = models.PositiveIntegerField(_("age mask"), default=0, editable=False)
    duration_days = models.PositiveSmallIntegerField(
        _("duration (days)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)]
    )
    months_in_season = MonthsField(
        _("months it runs"),
        default=list,
        blank=True,
        validators=[validate_months],
        help_text=_("Leave all unticked for all year."),
    )
    season_mask = models.PositiveIntegerField(_("season mask"), default=0, editable=False)
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    included = models.TextField(
        _("what is included"), blank=True, help_text=_("One item a line: beds, meals, lessons, a guide…")
    )
    safety_notes = models.TextField(_("safety"), blank=True)
    insurance_notes = models.TextField(_("insurance"), blank=True)
    pupils_per_teacher = models.PositiveSmallIntegerField(
        _("pupils per teacher"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("The school brings at least one teacher for this many pupils."),
    )
    min_pupils = models.PositiveSmallIntegerField(
        _("smallest group (pupils)"), default=10, validators=[MinValueValidator(1)]
    )
    price_per_pupil_day_fen = models.PositiveIntegerField(
        _("price per pupil per day (fen)"), help_text=_("For the smallest group; tiers below lower it.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("learning_goals"),
        MultiFieldPanel(
            [
                FieldPanel("age_groups"),
                FieldRowPanel([FieldPanel("duration_days"), FieldPanel("pupils_per_teacher")]),
                FieldPanel("months_in_season"),
                FieldPanel("village"),
            ],
            heading=_("Who and when"),
        ),
        FieldPanel("included"),
        MultiFieldPanel([FieldPanel("safety_notes"), FieldPanel("insurance_notes")], heading=_("Safety")),
        InlinePanel("activities", label=_("Day by day")),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("min_pupils"), FieldPanel("price_per_pupil_day_fen")])],
            heading=_("Price"),
        ),
        InlinePanel("price_tiers", label=_("Group prices")),
        InlinePanel("photos", label=_("Photos")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("learning_goals"),
        index.AutocompleteField("title"),
    ]
    parent_page_types = ["groups.StudyProgrammeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("study-tour programme")
        verbose_name_plural = _("study-tour programmes")

    def clean(self):
        super().clean()
        if not clean_age_groups(self.age_groups):
            raise ValidationError({"age_groups": _("Choose at least one age group.")})

    def save(self, *args, **kwargs):
        self.age_groups = clean_age_groups(self.age_groups)
        self.age_mask = age_mask(self.age_groups)
        self.months_in_season = clean_months(self.months_in_season)
        self.season_mask = season_mask(self.months_in_season)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "age_mask", "season_mask"}
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .selectors import programme_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(programme_page_context(self))
        return context

    @property
    def included_items(self):
        return [line.strip() for line in self.included.splitlines() if line.strip()]

    @property
    def month_names(self):
        return [MONTH_NAMES[month] for month in self.months_in_season]

    @property
    def age_group_labels(self):
        from .stages import AgeGroup

        return [AgeGroup(code).label for code in self.age_groups]


class ActivityKind(models.TextChoices):
    EXPERIENCE = "experience", _("Experience")
    LESSON = "lesson", _("Lesson")
    VISIT = "visit", _("Visit")
    MEAL = "meal", _("Meal")


class ProgrammeActivity(Orderable):
    """One part of a programme's day: an experience it books, a lesson, a visit or a meal."""

    page = ParentalKey(StudyProgrammePage, on_delete=models.CASCADE, related_name="activities")
    day = models.PositiveSmallIntegerField(
        _("day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    experience = models.ForeignKey(
        "attractions.ExperiencePage",
        verbose_name=_("experience"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=120, blank=True, help_text=_("Empty: the experience's."))
    note = models.CharField(_("note"), max_length=250, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("day"), FieldPanel("kind")]),
        PageChooserPanel("experience", "attractions.ExperiencePage"),
        FieldPanel("title"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("activity")

    def __str__(self):
        return self.shown_title

    def clean(self):
        super().clean()
        if self.kind == ActivityKind.EXPERIENCE and not self.experience_id:
            raise ValidationError({"experience": _("Choose the experience.")})
        if not self.title and not self.experience_id:
            raise ValidationError({"title": _("Give a title.")})

    @property
    def shown_title(self):
        return self.title or (self.experience.title if self.experience_id and self.experience else "")


class ProgrammePriceTier(Orderable):
    """From ``min_pupils`` pupils on, each pays this per day."""

    page = ParentalKey(StudyProgrammePage, on_delete=models.CASCADE, related_name="price_tiers")
    min_pupils = models.PositiveSmallIntegerField(_("from pupils"), validators=[MinValueValidator(2)])
    price_per_pupil_day_fen = models.PositiveIntegerField(_("price per pupil per day (fen)"))

    panels = [FieldRowPanel([FieldPanel("min_pupils"), FieldPanel("price_per_pupil_day_fen")])]

    class Meta(Orderable.Meta):
        verbose_name = _("group price")

    def __str__(self):
        return f"≥{self.min_pupils}: {self.price_per_pupil_day_fen}"


class ProgrammePhoto(Orderable):
    page = ParentalKey(StudyProgrammePage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("photo"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")

    def __str__(self):
        return self.caption or str(self.image_id)


# Private references and quote tokens: characters nobody misreads (no 0/o, 1/l/i).
REF_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
REF_LENGTH = 12
MAX_PEOPLE = 2000
MAX_TEXT = 2000


def new_ref():
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("School")
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association or club")


class EnquiryStatus(models.TextChoices):
    NEW = "new", _("New")
    QUOTING = "quoting", _("Quote being prepared")
    QUOTED = "quoted", _("Quote sent")
    BOOKED = "booked", _("Booked")
    CLOSED = "closed", pgettext_lazy("group enquiry", "Closed")


class GroupEnquiry(models.Model):
    ref = models.CharField(
        pgettext_lazy("group enquiry", "reference"),
        max_length=REF_LENGTH,
        unique=True,
        default=new_ref,
        editable=False,
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=OrganisationKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    pupils = models.PositiveIntegerField(_("pupils"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)])
    adults = models.PositiveIntegerField(
        _("other adults"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)]
    )
    teachers = models.PositiveIntegerField(
        _("teachers"), default=0, validators=[MaxValueValidator(MAX_PEOPLE)]
    )
    ages = models.CharField(_("ages"), max_length=100, blank=True)
    programme = models.ForeignKey(
        StudyProgrammePage,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
    )
    wishes = models.TextField(_("wishes"), max_length=MAX_TEXT, blank=True)
    budget_fen = models.PositiveIntegerField(_("budget for the group (fen)"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100)
    # E.164, proven by a texted code when the enquiry was sent (phone_verified_at).
    contact_phone = models.CharField(_("contact mobile number"), max_length=32)
    phone_verified_at = models.DateTimeField(_("number confirmed"), null=True, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    staff_note = models.TextField(_("staff note"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("group enquiry")
        verbose_name_plural = _("group enquiries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="groups_enquiry_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(pupils__gt=0) | models.Q(adults__gt=0) | models.Q(teachers__gt=0),
                name="groups_enquiry_has_people",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.start_date:%Y-%m-%d} · {self.ref[:6]}"

    @property
    def people(self):
        return self.pupils + self.adults + self.teachers

    @property
    def days(self):
        return (self.end_date - self.start_date).days + 1


DEFAULT_DEPOSIT_PERCENT = 30
DEFAULT_HOLD_HOURS = 48
# The balance is due this many days before the first day unless the quote says otherwise.
DEFAULT_BALANCE_DAYS = 14
TOKEN_BYTES = 24


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


class QuoteStatus(models.TextChoices):
    # In context: "Sent" and "Expired" have other meanings elsewhere in the catalogue.
    DRAFT = "draft", pgettext_lazy("quote", "Draft")
    SENT = "sent", pgettext_lazy("quote", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("quote", "Accepted")
    EXPIRED = "expired", pgettext_lazy("quote", "Expired")


class Quote(ClusterableModel):
    """An offer to a group. Its link (``token``) is the group's key to it: shown once it is sent."""

    enquiry = models.ForeignKey(
        GroupEnquiry, verbose_name=_("enquiry"), on_delete=models.PROTECT, related_name="quotes"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    valid_until = models.DateField(_("valid until"))
    deposit_percent = models.PositiveSmallIntegerField(
        _("deposit (%)"),
        default=DEFAULT_DEPOSIT_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    hold_hours = models.PositiveSmallIntegerField(
        _("hold (hours)"),
        default=DEFAULT_HOLD_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("Once accepted, how long everything is held for the deposit."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    balance_due_on = models.DateField(
        _("balance due by"),
        null=True,
        blank=True,
        help_text=_("Empty: two weeks before the first day."),
    )
    note = models.TextField(_("note to the group"), blank=True, max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set by ``services.accept_quote``; a quote whose deposit never came goes back to SENT and keeps
    # the cancelled order here until it is accepted again.
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_quotes",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self):
        return f"{self.enquiry.organisation} · {self.valid_until:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("groups_quote", args=[self.token])

    def balance_date(self, first_day):
        """When the balance is due: the quote's date, else DEFAULT_BALANCE_DAYS before the first day."""
        return self.balance_due_on or first_day - datetime.timedelta(days=DEFAULT_BALANCE_DAYS)

    def shown_status(self, today):
        """The status the group sees: a sent quote past its date has expired."""
        if self.status == QuoteStatus.SENT and self.valid_until < today:
            return QuoteStatus.EXPIRED
        return self.status


class QuoteLineKind(models.TextChoices):
    STAY = "stay", pgettext_lazy("quote line", "Rooms")
    TOUR = "tour", pgettext_lazy("quote line", "Tour")
    ENTRY = "entry", pgettext_lazy("quote line", "Entry")
    MEAL = "meal", pgettext_lazy("quote line", "Meal")
    TRANSPORT = "transport", pgettext_lazy("quote line", "Transport")


# Which inventory each kind points at; meals and transport point at none (free text).
INVENTORY_FIELDS = {
    QuoteLineKind.STAY: "room_type",
    QuoteLineKind.TOUR: "tour_slot",
    QuoteLineKind.ENTRY: "entry_window",
}


class QuoteLine(Orderable):
    """One priced line of a quote on one day. ``quantity``: rooms for a stay (each for ``nights``
    nights from ``day``), people for a tour, an entry or a meal, vehicles or trips for transport.
    ``unit_price_fen``: the group price per room and night, per person, or per vehicle."""

    quote = ParentalKey(Quote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=QuoteLineKind.choices)
    day = models.DateField(_("day"))
    room_type = models.ForeignKey(
        "homestays.RoomType",
        verbose_name=_("room type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    nights = models.PositiveSmallIntegerField(
        _("nights"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Rooms only."),
    )
    tour_slot = models.ForeignKey(
        "attractions.TourSlot",
        verbose_name=_("tour slot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entry_window = models.ForeignKey(
        "gates.EntryWindow",
        verbose_name=_("entry window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, help_text=_("Meals and transport: what it is.")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PEOPLE)]
    )
    unit_price_fen = models.PositiveIntegerField(_("group unit price (fen)"))

    class Meta(Orderable.Meta):
        ordering = ["day", "sort_order", "pk"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")

    def __str__(self):
        return f"{self.day} {self.get_kind_display()} × {self.quantity}"

    def clean(self):
        super().clean()
        errors = {}
        needed = INVENTORY_FIELDS.get(self.kind)
        for field in INVENTORY_FIELDS.values():
            if field == needed and not getattr(self, f"{field}_id"):
                errors[field] = _("Choose what this line sells.")
            elif field != needed and getattr(self, f"{field}_id"):
                errors[field] = _("Only for a line of that kind: leave it empty.")
        if needed is None and not self.description.strip():
            errors["description"] = _(
                "Say what the line is, for example “lunch” or “coach from the station”."
            )
        if self.kind != QuoteLineKind.STAY and self.nights != 1:
            errors["nights"] = _("Nights are for rooms only.")
        if not errors:
            errors.update(self._inventory_errors())
        if errors:
            raise ValidationError(errors)

    def _inventory_errors(self):
        """The line against its inventory: the right day and no more than there is at all (what is
        free is checked when the group accepts)."""
        if self.kind == QuoteLineKind.STAY and self.quantity and self.quantity > self.room_type.units:
            return {"quantity": _("This room type has only %(n)d rooms.") % {"n": self.room_type.units}}
        if self.kind == QuoteLineKind.TOUR:
            if timezone.localdate(self.tour_slot.starts_at) != self.day:
                return {"tour_slot": _("This slot is not on the line's day.")}
            capacity = self.tour_slot.effective_capacity
            if self.quantity and self.quantity > capacity:
                return {"quantity": _("The slot takes at most %(n)d people.") % {"n": capacity}}
        if self.kind == QuoteLineKind.ENTRY and timezone.localdate(self.entry_window.starts_at) != self.day:
            return {"entry_window": _("This window is not on the line's day.")}
        return {}

    @property
    def amount_fen(self):
        nights = self.nights if self.kind == QuoteLineKind.STAY else 1
        return (self.quantity or 0) * (self.unit_price_fen or 0) * nights

    @property
    def label(self):
        """What the group reads: the room type and its homestay, the experience and its time, the
        spot and its window, or the line's own words."""
        if self.kind == QuoteLineKind.STAY and self.room_type_id:
            return f"{self.room_type.page.title} · {self.room_type.name}"
        if self.kind == QuoteLineKind.TOUR and self.tour_slot_id:
            start = timezone.localtime(self.tour_slot.starts_at)
            return f"{self.tour_slot.experience.title} · {start:%H:%M}"
        if self.kind == QuoteLineKind.ENTRY and self.entry_window_id:
            start = timezone.localtime(self.entry_window.starts_at)
            return f"{self.entry_window.rule.spot.title} · {start:%H:%M}"
        return self.description


# --- the roster: who travels (花名册) -------------------------------------------------------


class RosterRole(models.TextChoices):
    PUPIL = "pupil", pgettext_lazy("roster", "Pupil")
    TEACHER = "teacher", pgettext_lazy("roster", "Teacher")
    ADULT = "adult", pgettext_lazy("roster", "Other adult")


class DocumentKind(models.TextChoices):
    # The first two are gates.idcards' own kinds (the same checks); "other": a permit for Hong
    # Kong, Macao or Taiwan residents, a foreigner's permanent residence card, and the like.
    ID_CARD = "id_card", _("Mainland ID card")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other document")


class RosterSource(models.TextChoices):
    ORGANISER = "organiser", _("The organiser, through the quote's link")
    STAFF = "staff", _("Staff, in the admin")


class Roster(models.Model):
    """The participants of a quote's trip, as last uploaded: for the insurance and the gates. One
    per quote; a new upload replaces its participants whole."""

    quote = models.OneToOneField(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="roster"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Who sent it in; kept apart from ``uploaded_by``, which empties if that staff account goes.
    uploaded_via = models.CharField(
        _("uploaded through"), max_length=10, choices=RosterSource.choices, default=RosterSource.ORGANISER
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    ids_purged_at = models.DateTimeField(_("ID numbers removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        permissions = [("export_full_ids", _("Can export rosters with full ID numbers"))]

    def __str__(self):
        return str(self.quote)

    @property
    def uploaded_by_organiser(self):
        return self.uploaded_via == RosterSource.ORGANISER


class RosterParticipant(models.Model):
    """One traveller. The document number is kept sealed (gates.idcards.seal) and masked; the
    sealed number, the birth date and the phone go ``GROUPS_ROSTER_RETENTION_DAYS`` after the
    trip (groups.retention)."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="participants")
    row = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=10, choices=RosterRole.choices)
    document_kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    document_masked = models.CharField(_("document number (masked)"), max_length=40)
    document_sealed = models.TextField(_("document number (sealed)"), blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=32, blank=True)

    class Meta:
        ordering = ["row", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return f"{self.name} · {self.document_masked}"


# --- what the quote's choosers list (proxies: the same rows, named for staff) -----------------


class RoomTypeChoice(RoomType):
    class Meta:
        proxy = True
        verbose_name = _("room type")

    def __str__(self):
        return f"{self.page.title} · {self.name} ({self.units})"


class TourSlotChoice(TourSlot):
    class Meta:
        proxy = True
        verbose_name = _("tour slot")

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.experience.title} · {start:%Y-%m-%d %H:%M} ({self.effective_capacity})"


class EntryWindowChoice(EntryWindow):
    class Meta:
        proxy = True
        verbose_name = _("entry window")

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.rule.spot.title} · {start:%Y-%m-%d %H:%M}"
