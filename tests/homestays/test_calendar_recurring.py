"""Importing host calendars with repeating events, from files as Google Calendar and Outlook export
them (tests/homestays/data/): every occurrence in the sync window closes its nights, not only the
first; EXDATE, RDATE and RECURRENCE-ID overrides are honoured; timed events in their own zones.

"Today" is pinned to Saturday 5 December 2026 in the town's time zone: the window is
2026-12-05 .. 2028-12-03 (730 nights).
"""

import datetime
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from homestays.calendar_sync import FeedError, parse_feed, sync_external_calendar
from homestays.models import ExternalCalendar, RoomRateRule
from orders.exceptions import DatesUnavailable
from orders.models import ReservationKind
from orders.reservations import Claim, reserve
from tests.factories.homestays import RoomTypeFactory

from .test_calendar_sync import FeedServer

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 12, 5)
NOW = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def nights(*spans):
    """The nights of (first night, last night) pairs, both included."""
    days = set()
    for first, last in spans:
        while first <= last:
            days.add(first)
            first += timedelta(days=1)
    return days


def first_mondays(first_month, last_month):
    """The first Monday of every month from first_month to last_month (dates on the 1st)."""
    days, month = set(), first_month
    while month <= last_month:
        days.add(month + timedelta(days=(7 - month.weekday()) % 7))
        month = (month + timedelta(days=32)).replace(day=1)
    return days


GOOGLE_NIGHTS = (
    # Weekly Friday+Saturday (UNTIL 8 Jan): the 4 Dec one only from today, 18 Dec moved to
    # 19-20 Dec, 25 Dec left out by EXDATE, 1 Jan cancelled by its override.
    nights(
        (date(2026, 12, 5), date(2026, 12, 5)),
        (date(2026, 12, 11), date(2026, 12, 12)),
        (date(2026, 12, 19), date(2026, 12, 20)),
        (date(2027, 1, 8), date(2027, 1, 9)),
    )
    # Every first Monday, no end: up to the window's last night (4 Dec 2028 is just past it).
    | first_mondays(date(2026, 12, 1), date(2028, 11, 1))
    # Yearly since 2019, nights of 20 and 21 March.
    | nights((date(2027, 3, 20), date(2027, 3, 21)), (date(2028, 3, 20), date(2028, 3, 21)))
    # A plain three-night event.
    | nights((date(2027, 1, 15), date(2027, 1, 17)))
)

OUTLOOK_NIGHTS = {
    # Sundays 15:00 to Monday 11:00 China Standard Time, COUNT=4, 20 Dec left out (timed EXDATE).
    date(2026, 12, 6),
    date(2026, 12, 13),
    date(2026, 12, 27),
    # 15:00 Shanghai (07:00Z) for 20 hours, and the same again on its RDATE.
    date(2026, 12, 30),
    date(2027, 2, 10),
    # Friday 20:00 Berlin (CET) is Saturday 03:00 here; Sunday 17:30 Berlin (CEST, after the
    # change to summer time that morning) is 23:30 here: the Saturday night only.
    date(2027, 3, 27),
}


def test_google_export_closes_every_occurrence_in_the_window():
    closed, count = parse_feed((DATA / "google_host_calendar.ics").read_bytes(), today=TODAY)
    assert closed == GOOGLE_NIGHTS
    assert first_mondays(date(2026, 12, 1), date(2028, 11, 1)) <= closed
    assert date(2028, 12, 4) not in closed and max(closed) == date(2028, 11, 6)
    assert not nights((date(2026, 12, 25), date(2026, 12, 26)), (date(2027, 1, 1), date(2027, 1, 2))) & closed
    # 4 weekend + 24 first Mondays + 2 yearly + 1 plain; the past series and the transparent
    # reminders count for nothing.
    assert count == 31


def test_outlook_export_places_timed_repeats_in_the_town_time_zone():
    closed, count = parse_feed((DATA / "outlook_room_calendar.ics").read_bytes(), today=TODAY)
    assert closed == OUTLOOK_NIGHTS
    assert count == 6


@pytest.fixture
def feed_server(settings):
    settings.HOMESTAYS_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    server = FeedServer()
    server.feeds["/google.ics"] = (200, (DATA / "google_host_calendar.ics").read_bytes())
    yield server
    server.close()


def test_synced_repeats_make_later_occurrences_unbookable(homestay, feed_server):
    room = RoomTypeFactory(page=homestay, units=1, base_price_fen=30000)
    calendar = ExternalCalendar.objects.create(
        room_type=room, name="Google", url=feed_server.url("/google.ics")
    )
    result = sync_external_calendar(calendar)
    assert result.ok, result.error
    closed = set()
    for rule in RoomRateRule.objects.filter(source=calendar):
        closed |= nights((rule.start_date, rule.end_date))
    assert closed == GOOGLE_NIGHTS
    # The second weekend of the series (the first one the old import left open) is closed ...
    with pytest.raises(DatesUnavailable):
        reserve([Claim(ReservationKind.STAY, room.pk, 1, date(2026, 12, 11), date(2026, 12, 13))])
    # ... and the weekend its EXDATE leaves out is not.
    (held,) = reserve([Claim(ReservationKind.STAY, room.pk, 1, date(2026, 12, 25), date(2026, 12, 27))])
    assert held.pk is not None


def ics(*events):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Repeats//EN"]
    for i, body in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:repeat-{i}@test.example", *body, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MINUTELY", "FREQ=HOURLY;COUNT=5", "FREQ=DAILY;BYHOUR=1,2", "FREQ=SECONDLY;INTERVAL=3600"],
)
def test_repeats_of_less_than_a_day_are_refused_at_once(rule):
    body = ics(["DTSTART:20261206T150000", "DTEND:20261206T160000", f"RRULE:{rule}"])
    with pytest.raises(FeedError, match="more than once a day"):
        parse_feed(body, today=TODAY)


def test_a_feed_too_costly_to_expand_is_refused():
    # Forty daily series: 40 × 730 repetitions in the window.
    body = ics(*[["DTSTART;VALUE=DATE:20261201", "RRULE:FREQ=DAILY"] for _i in range(40)])
    with pytest.raises(FeedError, match="too many repeating events"):
        parse_feed(body, today=TODAY)


def test_a_daily_series_from_long_ago_is_read():
    body = ics(["DTSTART;VALUE=DATE:19900101", "DTEND;VALUE=DATE:19900102", "RRULE:FREQ=DAILY"])
    closed, count = parse_feed(body, today=TODAY)
    assert len(closed) == count == 730


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;UNTIL=notadate", "FREQ=WEEKLY;INTERVAL=x", "FREQ=WEEKLY;BYDAY=XX"]
)
def test_an_unreadable_repeat_rule_is_a_feed_error(rule):
    body = ics(["DTSTART;VALUE=DATE:20261207", f"RRULE:{rule}"])
    with pytest.raises(FeedError):
        parse_feed(body, today=TODAY)


def test_an_event_without_a_start_is_left_out():
    body = ics(["SUMMARY:no start"], ["DTSTART;VALUE=DATE:20261207", "RRULE:FREQ=WEEKLY;COUNT=2"])
    closed, count = parse_feed(body, today=TODAY)
    assert closed == {date(2026, 12, 7), date(2026, 12, 14)}
    assert count == 2
