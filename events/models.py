"""Festivals and events: the events index (upcoming, archive, month filter) and event pages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from attractions.models import postal_address
from home.blocks import BaseStreamBlock

from .blocks import ProgrammeBlock


class EventIndexPage(Page):
    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("event index")

    def get_context(self, request, *args, **kwargs):
        from .selectors import event_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_index_context(self, request))
        return context


class EventPage(RoutablePageMixin, Page):
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
                FieldPanel("organiser"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("body"),
        FieldPanel("programme"),
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

    class Meta:
        verbose_name = _("event")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The event cannot end before it starts.")})

    def get_context(self, request, *args, **kwargs):
        from .selectors import event_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_page_context(self, request))
        return context

    @path("")
    def event(self, request):
        return self.render(request)

    @path("ics/", name="ics")
    def ics(self, request):
        """This one event as an .ics file, for "add to my calendar"."""
        from .feeds import build_calendar, ical_response
        from .selectors import attach_venues

        attach_venues([self], self.locale_id)
        return ical_response(build_calendar([self], request=request), f"tianyuan-{self.slug}.ics")

    @property
    def is_past(self):
        return self.end < timezone.now()

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
