"""Festivals and events: the events index (upcoming, archive, month filter) and event pages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ProtectedError, Q
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone, translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from attractions.models.experiences import EXPERIENCE_POLICY_EXPLANATIONS
from orders.models import OrderLine, ReservationKind
from orders.policies import CancellationPolicy
from town.blocks import BaseStreamBlock
from town.cache import CachedViewRestrictionsMixin
from town.models import postal_address
from town.page_cache import cached_showing

from .blocks import ProgrammeBlock
from .feeds import build_calendar, ical_response
from .forms import EventPageForm, sold_ticket_type_message


class EventIndexPage(CachedViewRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("event index")

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from .selectors import event_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_index_context(self, request))
        return context


class SeasonPage(CachedViewRestrictionsMixin, RoutablePageMixin, Page):
    """ "This month in the town": tours with free places, festivals and produce in season, by month
    (``/this-month/`` is the current month; ``/this-month/2026/12/`` or ``?month=2026-12`` another)."""

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)
    items_per_section = models.PositiveSmallIntegerField(
        _("items per section"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("items_per_section")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("this month in the town")

    @path("")
    def current_month(self, request):
        # When serving: season imports this module through selectors.
        from .season import BadMonth, parse_month

        value = request.GET.get("month", "")
        try:
            year, month = parse_month(value)
        except BadMonth as error:
            response = self.render(request, context_overrides={"month_error": str(error), "season": None})
            response.status_code = 400
            return response
        if value:
            return HttpResponseRedirect(self.month_url(year, month))
        return self._render_month(request, year, month)

    @path("<int:year>/<int:month>/", name="month")
    def month(self, request, year, month):
        # When serving: season imports this module through selectors.
        from .season import BadMonth, check_month

        try:
            check_month(year, month)
        except BadMonth as error:
            raise Http404(str(error)) from None
        return self._render_month(request, year, month)

    def month_url(self, year, month):
        return self.url + self.reverse_subpage("month", kwargs={"year": year, "month": month})

    def _render_month(self, request, year, month):
        # When serving: season imports this module through selectors.
        from .season import in_season

        limit = self.items_per_section
        season = cached_showing(
            ("season", year, month, limit, translation.get_language()),
            lambda: in_season(year, month, limit=limit),
        )
        previous, following = season.previous, season.next
        return self.render(
            request,
            context_overrides={
                "season": season,
                "previous_url": self.month_url(*previous),
                "next_url": self.month_url(*following),
            },
        )


class EventPage(CachedViewRestrictionsMixin, RoutablePageMixin, Page):
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        "attractions.AttractionPage",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    village = models.ForeignKey(
        "town.Village",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text=_("The village the ticket money goes to. Empty: the venue's village."),
    )
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("One or two sentences for lists."))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    programme = StreamField(ProgrammeBlock(), verbose_name=_("programme"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                PageChooserPanel("venue", "attractions.AttractionPage"),
                FieldPanel("village"),
                FieldPanel("organiser"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("body"),
        FieldPanel("programme"),
        InlinePanel("ticket_types", label=_("Tickets"), heading=_("Tickets and registration")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("programme"),
        index.SearchField("organiser"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []
    base_form_class = EventPageForm

    class Meta:
        verbose_name = _("event")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The event cannot end before it starts.")})

    def get_context(self, request, *args, **kwargs):
        # When serving: selectors import this module (a Wagtail page is its own view).
        from .selectors import event_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_page_context(self, request))
        return context

    @path("")
    def event(self, request):
        return self.render(request)

    @path("tickets/", name="tickets")
    def add_tickets(self, request):
        """POST: put tickets in the visitor's basket; errors re-render the page with a 4xx."""
        # When serving: views import this module (a Wagtail page is its own view).
        from .views import add_tickets

        return add_tickets(self, request)

    @path("ics/", name="ics")
    def ics(self, request):
        """This one event as an .ics file, for "add to my calendar"."""
        # When serving: selectors import this module.
        from .selectors import attach_venues

        attach_venues([self], self.locale_id)
        return ical_response(build_calendar([self], request=request), f"tianyuan-{self.slug}.ics")

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def village_id_for_money(self):
        """The village the ticket money reaches: the page's own, else the venue's."""
        if self.village_id:
            return self.village_id
        return self.venue.village_id if self.venue_id and self.venue else None

    def tickets_url(self):
        return self.url + self.reverse_subpage("tickets")

    def ics_url(self):
        return self.url + self.reverse_subpage("ics")

    def structured_data(self, request=None, venue=None, image_url=None):
        """schema.org Event as a dict ready for JSON-LD; ``venue`` is the localised venue page."""
        venue = venue or self.venue
        tz = timezone.get_default_timezone()
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "startDate": timezone.localtime(self.start, tz).isoformat(),
            "endDate": timezone.localtime(self.end, tz).isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "url": self.get_full_url(request),
        }
        if self.search_description or self.intro:
            data["description"] = self.search_description or self.intro
        if venue is not None:
            place = {"@type": "Place", "name": venue.title}
            if venue.address:
                place["address"] = postal_address(venue.address)
            if venue.has_coordinates:
                place["geo"] = {
                    "@type": "GeoCoordinates",
                    "latitude": float(venue.latitude),
                    "longitude": float(venue.longitude),
                }
            data["location"] = place
        if self.organiser:
            data["organizer"] = {"@type": "Organization", "name": self.organiser}
        if image_url:
            data["image"] = image_url
        return data


class EventCancellation(models.Model):
    """The organiser called the event off (``orders.organiser_cancel``): its tickets are no longer
    sold, and those sold were cancelled and refunded. A row of its own rather than a page field,
    so that publishing an older revision of the page cannot put the event back on sale. Events
    have one date each, so calling off "a date" is calling off the event."""

    event = models.OneToOneField(
        EventPage, verbose_name=_("event"), on_delete=models.CASCADE, related_name="cancellation"
    )
    reason = models.TextField(_("reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), default=timezone.now)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("event cancellation")
        verbose_name_plural = _("event cancellations")

    def __str__(self):
        return f"{self.event_id} cancelled {self.cancelled_at:%Y-%m-%d}"


def is_called_off(event) -> bool:
    """Has the organiser called off ``event`` (or the original it was translated from)?"""
    return EventCancellation.objects.filter(event__translation_key=event.translation_key).exists()


def default_language():
    """The language code of the default locale (the one whose rows carry the inventory)."""
    return get_supported_language_variant(settings.LANGUAGE_CODE)


class TicketTypeQuerySet(models.QuerySet):
    def canonical(self):
        """Rows of default-locale events: translations share these (one capacity per ticket)."""
        return self.filter(page__locale__language_code=default_language())

    def canonical_for(self, page):
        """Inventory rows for ``page`` (or for the original a translation was made from), in one
        query: the default-locale event with the same translation key."""
        return (
            self.canonical().filter(page__translation_key=page.translation_key).order_by("sort_order", "pk")
        )

    def sold(self):
        """Ticket types that some order has a line for, whatever became of the order since: orders
        keep their history, so these are archived, never deleted."""
        return self.filter(pk__in=OrderLine.objects.filter(kind=ReservationKind.TICKET).values("object_id"))


class TicketType(TranslatableMixin, Orderable):
    """A kind of ticket to an event (day pass, family ticket, free registration): the "ticket"
    inventory unit. Translations of an event share the default-locale rows (one capacity)."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)
    price_fen = models.PositiveIntegerField(
        _("price (fen)"), default=0, help_text=_("0: free registration (no payment step).")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    sales_start = models.DateTimeField(_("sales open"), null=True, blank=True, help_text=_("Empty: now."))
    sales_end = models.DateTimeField(
        _("sales close"), null=True, blank=True, help_text=_("Empty: when the event ends.")
    )
    max_per_order = models.PositiveSmallIntegerField(
        _("most per order"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # Kept on each order line when sold: a later change never alters the refund of tickets sold.
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=16,
        choices=CancellationPolicy.choices,
        default=CancellationPolicy.FLEXIBLE,
        help_text=_("How much of the price comes back when a visitor gives tickets back."),
    )
    archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_(
            "No longer sold or shown; its orders keep it and their vouchers still admit. A ticket "
            "type that has sold cannot be deleted: archive it instead."
        ),
    )

    objects = TicketTypeQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("price_fen")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("max_per_order")]),
        FieldRowPanel([FieldPanel("sales_start"), FieldPanel("sales_end")]),
        FieldPanel("cancellation_policy"),
        FieldPanel("archived"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="events_tickettype_capacity_positive"),
            models.CheckConstraint(
                condition=Q(max_per_order__gte=1), name="events_tickettype_max_per_order_positive"
            ),
            models.CheckConstraint(
                condition=Q(sales_start__isnull=True)
                | Q(sales_end__isnull=True)
                | Q(sales_end__gt=models.F("sales_start")),
                name="events_tickettype_sales_window",
            ),
        ]

    def __str__(self):
        return f"{self.page.title} · {self.name}" if self.page_id else self.name

    def delete(self, *args, **kwargs):
        # Publishing a page deletes the inline rows it no longer has, one by one through here; the
        # page form refuses first with a message (``EventPageForm``), this stops any other way.
        if self.pk and TicketType.objects.filter(pk=self.pk).sold().exists():
            raise ProtectedError(sold_ticket_type_message([self]), {self})
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.sales_start and self.sales_end and self.sales_end <= self.sales_start:
            raise ValidationError({"sales_end": _("Sales must close after they open.")})

    @property
    def is_free(self):
        return self.price_fen == 0

    @property
    def cancellation_policy_explanation(self):
        return EXPERIENCE_POLICY_EXPLANATIONS.get(self.cancellation_policy, "")

    def sales_closes_at(self):
        """When sales close: the set time, else the end of the event."""
        return self.sales_end or self.page.end

    def sales_state(self, now=None):
        """ "not_yet", "open" or "closed" (archived, the event is over or the window has passed)."""
        now = now or timezone.now()
        if self.archived or self.page.end < now or self.sales_closes_at() <= now:
            return "closed"
        if self.sales_start and self.sales_start > now:
            return "not_yet"
        return "open"
