"""The iCalendar (RFC 5545) feed of events, built with the ``icalendar`` library."""

from datetime import timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vGeo

PRODID = "-//Tianyuan//Events//ZH"
UID_DOMAIN = "tianyuan"


def event_uid(event):
    """Stable across edits and shared by an event's translations, so a calendar app updates in place."""
    return f"{event.translation_key}@{UID_DOMAIN}"


def build_calendar(events, request=None, name=None):
    """A VCALENDAR of ``events``; each may carry ``place`` (its venue in the reader's language)."""
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name or _("Tianyuan events"))
    calendar.add("x-wr-timezone", str(tz))
    stamp = timezone.now()
    events = list(events)
    for page in events:
        calendar.add_component(build_event(page, request, tz, stamp))
    if events:
        # Only the rules in force around the events: China has had no daylight saving since 1991.
        first = min(timezone.localtime(page.start, tz) for page in events).date()
        last = max(timezone.localtime(page.end, tz) for page in events).date()
        day = timedelta(days=1)
        calendar.add_missing_timezones(first_date=first - day, last_date=last + day)
    return calendar


def build_event(page, request, tz, stamp):
    item = Event()
    item.add("uid", event_uid(page))
    item.add("dtstamp", stamp)
    item.add("last-modified", page.last_published_at or stamp)
    item.add("dtstart", timezone.localtime(page.start, tz))
    item.add("dtend", timezone.localtime(page.end, tz))
    item.add("summary", page.title)
    description = page.search_description or page.intro
    if description:
        item.add("description", strip_tags(description))
    item.add("url", page.get_full_url(request))
    place = getattr(page, "place", None) or page.venue
    if place is not None:
        item.add("location", ", ".join(part for part in (place.title, place.address) if part))
        if place.has_coordinates:
            item.add("geo", vGeo((float(place.latitude), float(place.longitude))))
    # No ORGANIZER: RFC 5545 wants an address (mailto:) there, and we have a name only.
    return item


def ical_response(calendar, filename):
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f"inline; filename={filename}"
    return response
