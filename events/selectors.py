"""Read paths for events: the index (upcoming, archive, month filter), event pages and the feed."""

import datetime
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attractions.selectors import (
    CARD_RENDITION,
    HERO_RENDITION,
    localized_pages,
    private_pages_q,
    town_day_start,
    with_image_renditions,
)
from orders.models import ReservationKind
from orders.selectors import claimed_units
from orders.stay_suggestions import StaySuggestion
from town import geo
from town.cache import is_page_number, lazy_value, query_key
from town.page_cache import cached_showing

from .models import EventPage, TicketType

ARCHIVE_PER_PAGE = 10
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class BadMonth(ValueError):
    pass


def month_format_error(value):
    return BadMonth(_("“%(value)s” is not a month; use the form YYYY-MM, e.g. 2026-04.") % {"value": value})


def parse_month(value):
    """``YYYY-MM`` → (first moment of the month, first moment of the next), local time."""
    match = MONTH_RE.match(value or "")
    year, month = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise month_format_error(value)
    tz = timezone.get_default_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=tz)
    following = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, following


def published_events(locale=None):
    """Live events not behind a view restriction (their own or an ancestor's)."""
    events = EventPage.objects.live().exclude(private_pages_q()).select_related("venue", "venue__village")
    if locale is not None:
        events = events.filter(locale=locale)
    return events


def attach_venues(events, locale_id):
    """Set ``event.place`` to the venue in the reader's language (one query, only when needed)."""
    places = localized_pages([event.venue for event in events], locale_id)
    for event in events:
        event.place = places.get(event.venue_id) if event.venue_id else None
    return events


def event_index_context(index_page, request):
    """The month filter, the feed links, and the listings computed on first use (not at all when
    their cached fragment hits). ``listing_key`` is what that fragment is cached under: the
    validated filters and today's date, as "upcoming" moves with time (None: not cached)."""
    month_value = request.GET.get("month", "").strip()
    month = month_end = month_error = None
    if month_value:
        try:
            month, month_end = parse_month(month_value)
        except BadMonth as error:
            month_error = str(error)
    listings = lazy_value(lambda: event_listings(index_page, request, month, month_end))
    listing_key = query_key(request, month=lambda value: month is not None, page=is_page_number)
    return {
        "upcoming": lazy_value(lambda: listings()[0]),
        "archive": lazy_value(lambda: listings()[1]),
        "month": month,
        "month_value": month_value if month else "",
        "month_error": month_error,
        "listing_key": None if listing_key is None else f"{listing_key}@{timezone.localdate()}",
        **ical_feed_urls(request),
    }


def event_listings(index_page, request, month_start=None, month_end=None):
    """(upcoming events, a page of past events) under the index, within the month if one is given."""
    now = timezone.now()
    events = published_events().child_of(index_page)
    if month_start is not None:
        events = events.filter(start__lt=month_end, end__gte=month_start)
    events = with_image_renditions(events, CARD_RENDITION)
    upcoming = attach_venues(list(events.filter(end__gte=now).order_by("start", "pk")), index_page.locale_id)
    archive = Paginator(events.filter(end__lt=now).order_by("-start", "-pk"), ARCHIVE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    attach_venues(archive.object_list, index_page.locale_id)
    return upcoming, archive


def ical_feed_urls(request):
    """The feed in the page's language: a download link and a webcal:// link calendar apps subscribe to."""
    url = "/events.ics"
    language = translation.get_language()
    if language != settings.LANGUAGE_CODE:
        url += f"?lang={language}"
    absolute = request.build_absolute_uri(url)
    return {"ical_url": absolute, "webcal_url": "webcal://" + absolute.split("://", 1)[1]}


def event_page_context(page, request):
    """What the event page shows, each computed on first use (so not at all when the template's
    cached fragments hit)."""
    place = lazy_value(
        lambda: localized_pages([page.venue], page.locale_id).get(page.venue_id) if page.venue_id else None
    )
    hero = lazy_value(lambda: page.image.get_rendition(HERO_RENDITION) if page.image_id else None)

    def structured_data():
        image_url = request.build_absolute_uri(hero().url) if hero() else None
        return page.structured_data(request, venue=place(), image_url=image_url)

    return {
        "place": place,
        "hero": hero,
        "structured_data": lazy_value(structured_data),
        "markers": lazy_value(lambda: [marker] if place() and (marker := place().map_marker()) else []),
        # Visitors get a way there, never the raw WGS-84 numbers.
        "map_app_url": lazy_value(
            lambda: (
                geo.map_app_url(place().latitude, place().longitude, place().title)
                if place() and place().has_coordinates
                else ""
            )
        ),
        # The structured data holds absolute addresses: its fragment varies with scheme and host.
        "absolute_root": request.build_absolute_uri("/"),
        # What is left changes with every booking: remembered with the seats it shows.
        "ticket_offers": (offers := remembered_ticket_offers(page)),
        # The rendered tickets are remembered under what they show of each offer.
        "tickets_key": "|".join(f"{o.pk}:{o.state}:{o.remaining}:{o.max_quantity}" for o in offers),
    }


def feed_events(locale):
    """Events for the iCalendar feed: every published event in ``locale``, in start order."""
    events = list(published_events(locale).order_by("start", "pk"))
    return attach_venues(events, locale.pk)


# --- tickets ----------------------------------------------------------------------------------


class TicketOffer:
    """A ticket type as the event page and the API show it: price, what is left, sales state."""

    def __init__(self, ticket_type, sold, now, shown=None):
        self.ticket_type = ticket_type
        # Name and what is included as the page's language has them (the translated row's).
        shown = shown or ticket_type
        self.name = shown.name
        self.description = shown.description
        self.remaining = max(ticket_type.capacity - sold, 0)
        state = ticket_type.sales_state(now)
        if hasattr(ticket_type.page, "cancellation"):  # called off by the organiser
            state = "cancelled"
        self.state = "sold_out" if state == "open" and self.remaining == 0 else state
        self.on_sale = self.state == "open"
        self.max_quantity = min(ticket_type.max_per_order, self.remaining)

    @property
    def pk(self):
        return self.ticket_type.pk


def ticket_offers(page, now=None):
    """Every ticket type of ``page`` still sold (the default-locale rows for a translation; archived
    ones left out), in two queries whatever their number: the ticket types, then their live claims."""
    now = now or timezone.now()
    ticket_types = list(
        TicketType.objects.canonical_for(page)
        .filter(archived=False)
        .select_related("page", "page__cancellation")
    )
    if not ticket_types:
        return []
    sold = claimed_units(ReservationKind.TICKET, [t.pk for t in ticket_types], now=now)
    shown = {}
    if page.locale_id != ticket_types[0].locale_id:
        # A translated page: its own rows carry the names (one more query).
        shown = {
            t.translation_key: t
            for t in TicketType.objects.filter(
                locale_id=page.locale_id, translation_key__in=[t.translation_key for t in ticket_types]
            )
        }
    return [
        TicketOffer(ticket_type, sold[ticket_type.pk], now, shown.get(ticket_type.translation_key))
        for ticket_type in ticket_types
    ]


def remembered_ticket_offers(page):
    """``ticket_offers(page)`` remembered with the seats they show (``cached_showing``: a sale or
    a cancellation of one of them makes it a miss, an edit moves the content version) until the
    next moment a sales window opens or closes or the event ends."""

    def compute():
        now = timezone.now()
        offers = ticket_offers(page, now)
        return offers, _next_sales_change(offers, now)

    offers, _changes_at = cached_showing(
        ("ticket-offers", page.pk, translation.get_language()),
        compute,
        fresh=lambda value: value[1] is None or timezone.now() < value[1],
    )
    return offers


def _next_sales_change(offers, now):
    """When one of ``offers`` changes state by itself: a window opening or closing, the event's end."""
    moments = []
    for offer in offers:
        ticket_type = offer.ticket_type
        moments += [ticket_type.sales_start, ticket_type.sales_closes_at(), ticket_type.page.end]
    later = [moment for moment in moments if moment is not None and moment > now]
    return min(later, default=None)


FESTIVAL_SUGGESTIONS = 6


def festival_days_during(first_day, last_day, *, days, locale=None, now=None):
    """The festivals and events on the days of a stay (each on its first day the stay covers):
    one query."""
    events = (
        published_events(locale)
        .filter(
            start__lt=town_day_start(last_day + datetime.timedelta(days=1)),
            end__gte=town_day_start(first_day),
        )
        .order_by("start", "pk")[: FESTIVAL_SUGGESTIONS * 2]
    )
    found = []
    for event in events:
        start, end = timezone.localtime(event.start), timezone.localtime(event.end)
        day = max(start.date(), first_day)
        while day <= min(end.date(), last_day) and day not in days:
            day += datetime.timedelta(days=1)
        if day not in days:
            continue
        found.append(
            StaySuggestion(
                kind="event",
                label=_("Festival"),
                title=event.title,
                url=event.url,
                day=day,
                detail=date_format(start, "TIME_FORMAT") if start.date() == day else "",
            )
        )
    return found[:FESTIVAL_SUGGESTIONS]
