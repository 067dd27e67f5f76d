"""Calendar sync with other platforms (Airbnb, Ctrip, Booking.com, ...), both ways, in iCalendar.

Export: each room type has a feed at ``/calendars/rooms/<token>.ics`` listing its busy nights as
all-day events: "Reserved" where every room of the type is taken, "Closed" where a closure
covers it. No guest data leaves the site; the token is the only protection of the address.

Import: an ``ExternalCalendar`` is fetched (http/https only, 10 s, 2 MB), each event becomes
closed nights, and in one transaction the closures from that source are replaced. Repeating
events are expanded over the import window (today to two years ahead) by recurring-ical-events:
RRULE and RDATE add occurrences, EXDATE removes them, a RECURRENCE-ID override moves or cancels
one; all-day and timed events alike, timed ones placed in the town's time zone. A feed that
cannot be fetched or read records ``last_error`` and leaves its previous closures alone, so a
platform's outage never reopens nights booked there; the host is e-mailed when the error changes.

Schedule the import with cron: ``python manage.py homestays_sync_calendars`` (or enqueue
``homestays.tasks.sync_all_calendars``), e.g. every 15 minutes.
"""

import ipaddress
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from orders.inventory import canonical_id
from orders.models import ReservationKind
from orders.reservations import local_today
from orders.selectors import claimed_units
from town.page_cache import bump_pages_version

from .inventory import rules_for
from .models import ExternalCalendar, RateRuleKind, RoomRateRule, RoomType

logger = logging.getLogger(__name__)

PRODID = "-//Tianyuan//Homestay calendar//ZH"
UID_DOMAIN = "tianyuan"
FETCH_TIMEOUT = 10  # seconds
MAX_FEED_BYTES = 2 * 1024 * 1024
ALLOWED_SCHEMES = ("http", "https")
# Export window: a month back (platforms like to see recent stays) to two years ahead.
EXPORT_PAST_DAYS = 30
EXPORT_FUTURE_DAYS = 730
# Import window: past nights are useless and a runaway event must not close decades.
IMPORT_FUTURE_DAYS = 730
# Expanding repeats costs time for each period from a series' start and each repetition in the
# window: a feed past these bounds, or repeating more than once a day (a night is closed or not,
# whatever repeats within it), is refused rather than keep a sync worker busy for minutes.
MAX_REPEAT_PERIODS = 500_000
MAX_OCCURRENCES = 20_000
PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}

RESERVED = "reserved"
CLOSED = "closed"


class FeedError(Exception):
    """A feed that could not be fetched or read; the message is shown to the host as is."""


@dataclass(frozen=True)
class NightRange:
    """Nights [start, end) in one state; ``end`` is the morning after the last night."""

    state: str
    start: date
    end: date


def merge_nights(nights, state=None):
    """Contiguous ranges of a set of nights: {Jan 1, Jan 2, Jan 5} → [1, 3), [5, 6)."""
    ranges = []
    for night in sorted(set(nights)):
        if ranges and ranges[-1].end == night:
            ranges[-1] = NightRange(state, ranges[-1].start, night + timedelta(days=1))
        else:
            ranges.append(NightRange(state, night, night + timedelta(days=1)))
    return ranges


# Export ----------------------------------------------------------------------------------------


def canonical_room_type(room_type):
    """The inventory row: a translated room type sells the default-locale original's rooms."""
    original = canonical_id(ReservationKind.STAY, room_type.pk)
    if original is None or original == room_type.pk:
        return room_type
    return RoomType.objects.filter(pk=original).first() or room_type


def busy_ranges(room_type, start, end, *, now=None):
    """The room type's busy nights in [start, end) as merged ranges, closures first: 2 queries."""
    rules = [r for r in rules_for([room_type.pk], start, end) if r.kind == RateRuleKind.CLOSED]
    claimed = claimed_units(ReservationKind.STAY, [room_type.pk], start, end, now=now)
    closed, reserved = set(), set()
    for rule in rules:
        night = max(rule.start_date, start)
        while night <= rule.end_date and night < end:
            closed.add(night)
            night += timedelta(days=1)
    for (_obj_id, night), quantity in claimed.items():
        # Busy elsewhere only when no room of the type is left: a partly booked type still sells.
        if quantity >= room_type.units and night not in closed:
            reserved.add(night)
    ranges = merge_nights(closed, CLOSED) + merge_nights(reserved, RESERVED)
    return sorted(ranges, key=lambda r: (r.start, r.state))


def export_calendar(room_type, *, now=None):
    """The VCALENDAR of a room type's busy nights (see the module docstring)."""
    now = now or timezone.now()
    today = local_today(now)
    start, end = today - timedelta(days=EXPORT_PAST_DAYS), today + timedelta(days=EXPORT_FUTURE_DAYS)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", str(room_type))
    summaries = {RESERVED: "Reserved", CLOSED: "Closed"}
    for busy in busy_ranges(room_type, start, end, now=now):
        event = Event()
        # Stable while the range is unchanged, so calendar apps update instead of duplicating.
        event.add("uid", f"{busy.state}-{room_type.pk}-{busy.start:%Y%m%d}-{busy.end:%Y%m%d}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("dtstart", busy.start)
        event.add("dtend", busy.end)
        # Plain English keywords, as other platforms' feeds use: they are read by machines.
        event.add("summary", summaries[busy.state])
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar


# Import ----------------------------------------------------------------------------------------


def _check_host(hostname):
    """Refuse addresses inside our own network (a feed URL must not reach internal services)."""
    if getattr(settings, "HOMESTAYS_CALENDAR_ALLOW_PRIVATE_HOSTS", False):
        return
    try:
        infos = socket.getaddrinfo(hostname, None)
    except (OSError, UnicodeError) as exc:
        raise FeedError(_("The calendar's server could not be found.")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise FeedError(_("This calendar address points to a private network and cannot be used."))


def _check_url(url):
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() not in ALLOWED_SCHEMES or not parsed.hostname:
        raise FeedError(_("Only http:// and https:// calendar addresses can be synced."))
    _check_host(parsed.hostname)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_feed(url, *, timeout=FETCH_TIMEOUT, max_bytes=MAX_FEED_BYTES):
    """The body of an http(s) calendar address, at most ``max_bytes``; FeedError otherwise."""
    _check_url(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    request = urllib.request.Request(  # noqa: S310 - _check_url allowed http(s) only
        url, headers={"User-Agent": "Tianyuan calendar sync", "Accept": "text/calendar, */*"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError(
            _("The calendar's server answered with error %(code)s.") % {"code": exc.code}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FeedError(_("The calendar could not be reached (%(reason)s).") % {"reason": reason}) from exc
    if len(body) > max_bytes:
        raise FeedError(_("The calendar is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)})
    return body


def _local_date(value, tz):
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.date()  # "floating" time: already the town's wall clock
        return value.astimezone(tz).date()
    if isinstance(value, date):
        return value
    raise FeedError(_("The calendar has an event with a date that cannot be read."))


def _event_nights(event, tz):
    """Nights [first, end) an event blocks; None for events that block nothing."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED" or str(event.get("TRANSP", "")).upper() == (
        "TRANSPARENT"
    ):
        return None
    if event.get("DTSTART") is None:
        return None
    start_value = event.decoded("DTSTART")
    if event.get("DTEND") is not None:
        end_value = event.decoded("DTEND")
    elif event.get("DURATION") is not None:
        end_value = start_value + event.decoded("DURATION")
    else:
        end_value = start_value  # RFC 5545: a date alone lasts one day
    first, end = _local_date(start_value, tz), _local_date(end_value, tz)
    # Leaving the morning after still counts the night; an event within one day blocks that night.
    return first, max(end, first + timedelta(days=1))


def _as_list(value):
    """A property that may appear once or several times, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _rule_cost(rule, start, first, horizon):
    """(periods from the series' start to the window's end, repetitions at most within the
    window [first, horizon)) of one RRULE; FeedError for repeats of less than a day."""
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    within_a_day = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        within_a_day *= max(1, len(rule.get(part) or ()))
    if freq not in PERIOD_DAYS or within_a_day > 1:
        raise FeedError(
            _("The calendar has an event that repeats more than once a day; it cannot be imported.")
        )
    interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    per_period = 1
    for part in ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH"):
        per_period *= max(1, len(rule.get(part) or ()))
    step = PERIOD_DAYS[freq] * interval
    window_days = max(0, (horizon - max(first, start)).days)
    periods = max(0, (horizon - start).days) // step + 1
    repetitions = min(window_days + 1, (window_days // step + 1) * min(per_period, PERIOD_DAYS[freq]))
    return periods, repetitions


def _check_size(calendar, first, horizon, tz):
    """FeedError when expanding the repeating events over [first, horizon) would cost too much."""
    periods, repetitions = 0, 0
    for event in calendar.walk("VEVENT"):
        rules = _as_list(event.get("RRULE"))
        if rules:
            start = _local_date(event.decoded("DTSTART"), tz)
            for rule in rules:
                rule_periods, rule_repetitions = _rule_cost(rule, start, first, horizon)
                periods += rule_periods
                repetitions += rule_repetitions
        for rdate in _as_list(event.get("RDATE")):
            repetitions += len(getattr(rdate, "dts", ()) or ())
        if periods > MAX_REPEAT_PERIODS or repetitions > MAX_OCCURRENCES:
            raise FeedError(_("The calendar has too many repeating events to be imported."))


def _occurrences(calendar, first, horizon, tz):
    """Every occurrence of the calendar's events overlapping [first, horizon), one VEVENT each,
    repeating events expanded; events without a start are left out (they block nothing)."""
    calendar.subcomponents = [
        c for c in calendar.subcomponents if c.name != "VEVENT" or c.get("DTSTART") is not None
    ]
    _check_size(calendar, first, horizon, tz)
    # A day's margin on each side: a timed event is placed in its own zone, nights in the town's.
    return recurring_ical_events.of(calendar).between(first - timedelta(days=1), horizon + timedelta(days=1))


def parse_feed(body, *, today):
    """(closed nights, number of blocking events in the window, each repetition counted) from an
    iCalendar body; FeedError when it is not one, or cannot be read."""
    if not body or not body.strip():
        raise FeedError(_("The calendar is empty."))
    try:
        calendar = Calendar.from_ical(body)
    except Exception as exc:  # icalendar raises ValueError and others on malformed input
        raise FeedError(_("This is not a readable iCalendar (.ics) file.")) from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError(_("This is not a readable iCalendar (.ics) file."))
    tz = ZoneInfo(settings.TIME_ZONE)
    horizon = today + timedelta(days=IMPORT_FUTURE_DAYS)
    nights, count = set(), 0
    try:
        # The library raises InvalidCalendar (a ValueError) and others on bad rules and dates.
        events = _occurrences(calendar, today, horizon, tz)
        spans = [_event_nights(event, tz) for event in events]
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        raise FeedError(_("The calendar has an event with a date that cannot be read.")) from exc
    for span in spans:
        if span is None or span[1] <= today or span[0] >= horizon:
            continue
        count += 1
        night = max(span[0], today)
        while night < span[1] and night < horizon:
            nights.add(night)
            night += timedelta(days=1)
    return nights, count


@dataclass
class SyncResult:
    calendar: ExternalCalendar
    ok: bool
    closed_nights: int = 0
    error: str = ""


def sync_external_calendar(calendar, *, fetch=fetch_feed, now=None):
    """Fetch one external calendar and replace its closures; never raises for a bad feed."""
    now = now or timezone.now()
    try:
        body = fetch(calendar.url)
        nights, count = parse_feed(body, today=local_today(now))
    except FeedError as exc:
        return _record_failure(calendar, str(exc), now)
    ranges = merge_nights(nights, CLOSED)
    note = _("Imported from %(source)s") % {"source": calendar.name}
    with transaction.atomic():
        # Lock the calendar row: two syncs of one feed at once would both insert their closures.
        locked = ExternalCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
        if locked is None:
            return SyncResult(calendar, ok=False, error=_("This calendar was deleted."))
        # Only its own imports: never the host's closures, nor those a call-off holds.
        RoomRateRule.objects.filter(source=locked, call_off__isnull=True).delete()
        RoomRateRule.objects.bulk_create(
            RoomRateRule(
                room_type_id=locked.room_type_id,
                kind=RateRuleKind.CLOSED,
                start_date=r.start,
                end_date=r.end - timedelta(days=1),  # rules name their last night
                note=note[:200],
                source=locked,
            )
            for r in ranges
        )
        ExternalCalendar.objects.filter(pk=locked.pk).update(
            last_synced_at=now, last_error="", last_event_count=count
        )
        # bulk_create sends no post_save: clear the cached pages showing the room's nights here.
        bump_pages_version()
    calendar.last_synced_at, calendar.last_error, calendar.last_event_count = now, "", count
    return SyncResult(calendar, ok=True, closed_nights=len(nights))


def _record_failure(calendar, error, now):
    previous = (
        ExternalCalendar.objects.filter(pk=calendar.pk).values_list("last_error", flat=True).first() or ""
    )
    with transaction.atomic():
        ExternalCalendar.objects.filter(pk=calendar.pk).update(last_error=error)
        if error != previous:
            transaction.on_commit(lambda: _tell_host(calendar.pk, error))
    calendar.last_error = error
    logger.info("Calendar %s (%s) failed: %s", calendar.pk, calendar.url, error)
    return SyncResult(calendar, ok=False, error=error)


def _tell_host(calendar_pk, error):
    calendar = ExternalCalendar.objects.filter(pk=calendar_pk).select_related("room_type__page__host").first()
    host = calendar and calendar.room_type.page.host
    if host is None or not host.email:
        return
    with translation.override(host.notice_language):
        subject = _("Calendar sync failed: %(calendar)s") % {"calendar": calendar}
        body = _(
            'We could not update the calendar "%(name)s" of %(room)s from %(url)s:\n\n%(error)s\n\n'
            "The nights imported earlier stay closed until the calendar can be read again. Please "
            'check the address in the admin under "Calendar sync".'
        ) % {"name": calendar.name, "room": calendar.room_type, "url": calendar.url, "error": error}
    try:
        send_mail(subject, body, None, [host.email])
    except Exception:  # a mail outage must not undo or retry the sync
        logger.exception("Could not e-mail the host about calendar %s", calendar_pk)


def sync_calendars(calendars=None, *, fetch=fetch_feed, now=None):
    """Sync several calendars (all by default), one transaction each; return their results."""
    if calendars is None:
        calendars = ExternalCalendar.objects.select_related("room_type").order_by("pk")
    return [sync_external_calendar(c, fetch=fetch, now=now) for c in calendars]
