"""Calendar sync: the iCalendar export of a room type and the import of other platforms' feeds.

Imports are fetched over real HTTP from a server the test starts on 127.0.0.1.
"""

import http.server
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar, Event
from wagtail.models import Locale

from accounts.roles import HOSTS
from homestays import calendar_sync
from homestays.calendar_sync import sync_external_calendar
from homestays.models import ExternalCalendar, RateRuleKind, RoomRateRule, RoomType
from homestays.tasks import sync_all_calendars
from orders.exceptions import DatesUnavailable
from orders.models import ReservationKind
from orders.reservations import Claim, confirm, reserve
from tests.factories.accounts import UserFactory
from tests.factories.homestays import RoomRateRuleFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The error messages are checked in English, whatever language an earlier request left active.
    with translation.override("en"):
        yield


# Helpers -----------------------------------------------------------------------------------------


def ics(*spans, extra=None):
    """An iCalendar body with one all-day event per (first night, morning after) pair."""
    calendar = Calendar()
    calendar.add("prodid", "-//Test//Other platform//EN")
    calendar.add("version", "2.0")
    for i, (start, end) in enumerate(spans):
        event = Event()
        event.add("uid", f"event-{i}@other.example")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", "Not available")
        calendar.add_component(event)
    for event in extra or ():
        calendar.add_component(event)
    return calendar.to_ical()


def nights_of(rules):
    nights = set()
    for rule in rules:
        night = rule.start_date
        while night <= rule.end_date:
            nights.add(night)
            night += timedelta(days=1)
    return nights


def export_events(client, room_type):
    response = client.get(reverse("homestays_room_type_ical", args=[room_type.ical_token]))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    return {(str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in calendar.walk("VEVENT")}


class FeedServer:
    """A real HTTP server on 127.0.0.1 serving ``feeds[path] = (status, body)``."""

    def __init__(self):
        self.feeds = {}
        feeds = self.feeds

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body = feeds.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server(settings):
    # The feed is served from the loopback address, which production refuses.
    settings.HOMESTAYS_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def single_room(homestay):
    return RoomTypeFactory(page=homestay, units=1, base_price_fen=30000)


@pytest.fixture
def airbnb(single_room, feed_server, monday):
    feed_server.feeds["/airbnb.ics"] = (200, ics((monday, monday + timedelta(days=2))))
    return ExternalCalendar.objects.create(
        room_type=single_room, name="Airbnb", url=feed_server.url("/airbnb.ics")
    )


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/calendar.ics"


# Export ------------------------------------------------------------------------------------------


def test_export_lists_live_reservations_merged_and_closures_as_all_day_events(client, single_room, monday):
    first = reserve([Claim(ReservationKind.STAY, single_room.pk, 1, monday, monday + timedelta(days=2))])
    confirm(first)
    # A live hold right after it: one range with the confirmed stay.
    reserve(
        [
            Claim(
                ReservationKind.STAY,
                single_room.pk,
                1,
                monday + timedelta(days=2),
                monday + timedelta(days=3),
            )
        ]
    )
    RoomRateRuleFactory(
        room_type=single_room,
        kind=RateRuleKind.CLOSED,
        start_date=monday + timedelta(days=10),
        end_date=monday + timedelta(days=11),
    )
    events = export_events(client, single_room)
    assert events == {
        ("Reserved", monday, monday + timedelta(days=3)),
        ("Closed", monday + timedelta(days=10), monday + timedelta(days=12)),
    }


def test_export_leaves_out_expired_holds(client, single_room, monday):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    reserve(
        [Claim(ReservationKind.STAY, single_room.pk, 1, monday, monday + timedelta(days=1))],
        now=an_hour_ago,
        hold_for=timedelta(minutes=5),
    )
    assert export_events(client, single_room) == set()


def test_export_shows_a_night_reserved_only_when_every_room_of_the_type_is_taken(client, room, monday):
    # ``room`` has 2 units: one booking leaves the type on sale elsewhere, two fill it.
    reserve([Claim(ReservationKind.STAY, room.pk, 1, monday, monday + timedelta(days=2))])
    reserve([Claim(ReservationKind.STAY, room.pk, 1, monday + timedelta(days=1), monday + timedelta(days=2))])
    assert export_events(client, room) == {
        ("Reserved", monday + timedelta(days=1), monday + timedelta(days=2))
    }


def test_export_has_calendar_headers_stable_uids_and_no_guest_data(client, single_room, monday):
    guest = UserFactory(email="guest-private@example.com")
    reserve(
        [Claim(ReservationKind.STAY, single_room.pk, 1, monday, monday + timedelta(days=1))], holder=guest
    )
    url = reverse("homestays_room_type_ical", args=[single_room.ical_token])
    first, second = client.get(url), client.get(url)
    calendar = Calendar.from_ical(first.content)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert first["Content-Type"].startswith("text/calendar")
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == calendar_sync.PRODID
    assert uids == [str(e["UID"]) for e in Calendar.from_ical(second.content).walk("VEVENT")]
    assert b"guest-private" not in first.content


def test_export_of_an_unknown_token_is_404(client, single_room):
    response = client.get(reverse("homestays_room_type_ical", args=["no-such-token"]))
    assert response.status_code == 404


def test_each_room_type_gets_its_own_unguessable_token(homestay):
    first, second = RoomTypeFactory(page=homestay), RoomTypeFactory(page=homestay)
    assert first.ical_token != second.ical_token
    assert len(first.ical_token) >= 32


def test_a_translated_copy_of_a_room_type_gets_its_own_token(single_room):
    english, _ = Locale.objects.get_or_create(language_code="en")
    copy = single_room.copy_for_translation(english)
    copy.save()
    assert copy.ical_token != single_room.ical_token
    assert RoomType.objects.filter(ical_token=single_room.ical_token).count() == 1


# Import ------------------------------------------------------------------------------------------


def test_import_closes_exactly_the_feed_nights_marked_with_their_source(
    airbnb, single_room, monday, feed_server
):
    feed_server.feeds["/airbnb.ics"] = (
        200,
        ics(
            (monday, monday + timedelta(days=2)),
            (monday + timedelta(days=2), monday + timedelta(days=3)),
            (monday + timedelta(days=7), monday + timedelta(days=8)),
        ),
    )
    result = sync_external_calendar(airbnb)
    airbnb.refresh_from_db()
    closures = RoomRateRule.objects.filter(room_type=single_room)
    assert result.ok
    assert nights_of(closures) == {monday + timedelta(days=d) for d in (0, 1, 2, 7)}
    assert closures.count() == 2  # adjacent events merged into one range
    assert all(c.kind == RateRuleKind.CLOSED and c.source_id == airbnb.pk for c in closures)
    assert (airbnb.last_error, airbnb.last_event_count) == ("", 3)
    assert airbnb.last_synced_at is not None


def test_an_import_into_a_room_without_closures_clears_the_cached_pages(airbnb, feed_server, monday):
    # The first import has no earlier closure to delete, so no row signal: only the sync's own bump.
    from town.page_cache import _pages_version

    feed_server.feeds["/airbnb.ics"] = (200, ics((monday, monday + timedelta(days=1))))
    before = _pages_version()
    assert sync_external_calendar(airbnb).ok
    assert _pages_version() != before


def test_reimport_replaces_the_previous_import_and_reopens_removed_nights(
    airbnb, single_room, monday, feed_server
):
    sync_external_calendar(airbnb)
    feed_server.feeds["/airbnb.ics"] = (200, ics((monday + timedelta(days=1), monday + timedelta(days=2))))
    sync_external_calendar(airbnb)
    assert nights_of(RoomRateRule.objects.filter(source=airbnb)) == {monday + timedelta(days=1)}


def test_import_leaves_the_hosts_own_closures_alone(airbnb, single_room, monday):
    own = RoomRateRuleFactory(room_type=single_room, start_date=monday, end_date=monday)
    sync_external_calendar(airbnb)
    sync_external_calendar(airbnb)
    assert RoomRateRule.objects.filter(pk=own.pk, source=None).exists()


def test_datetime_events_close_the_nights_in_town_time(airbnb, single_room, monday, feed_server):
    event = Event()
    event.add("uid", "timed@other.example")
    event.add("dtstamp", timezone.now())
    # 17:00 UTC is 01:00 the next day in Shanghai: the stay starts the night after ``monday``.
    event.add("dtstart", datetime.combine(monday, datetime.min.time(), UTC) + timedelta(hours=17))
    event.add("dtend", datetime.combine(monday + timedelta(days=3), datetime.min.time(), UTC))
    feed_server.feeds["/airbnb.ics"] = (200, ics(extra=[event]))
    sync_external_calendar(airbnb)
    assert nights_of(RoomRateRule.objects.filter(source=airbnb)) == {
        monday + timedelta(days=1),
        monday + timedelta(days=2),
    }


def test_cancelled_events_close_nothing(airbnb, monday, feed_server):
    event = Event()
    event.add("uid", "cancelled@other.example")
    event.add("dtstart", monday)
    event.add("dtend", monday + timedelta(days=1))
    event.add("status", "CANCELLED")
    feed_server.feeds["/airbnb.ics"] = (200, ics(extra=[event]))
    assert sync_external_calendar(airbnb).ok
    assert not RoomRateRule.objects.filter(source=airbnb).exists()


def test_a_malformed_feed_records_the_error_and_keeps_the_previous_closures(airbnb, monday, feed_server):
    sync_external_calendar(airbnb)
    before = nights_of(RoomRateRule.objects.filter(source=airbnb))
    feed_server.feeds["/airbnb.ics"] = (200, b"<html>This is a log-in page, not a calendar</html>")
    result = sync_external_calendar(airbnb)
    airbnb.refresh_from_db()
    assert not result.ok
    assert "iCalendar" in airbnb.last_error
    assert (
        nights_of(RoomRateRule.objects.filter(source=airbnb))
        == before
        == {monday, monday + timedelta(days=1)}
    )
    assert airbnb.last_event_count == 1


def test_an_unreachable_feed_records_the_error_and_keeps_the_previous_closures(airbnb, monday):
    sync_external_calendar(airbnb)
    synced_at = ExternalCalendar.objects.get(pk=airbnb.pk).last_synced_at
    airbnb.url = closed_port_url()
    airbnb.save()
    result = sync_external_calendar(airbnb)
    airbnb.refresh_from_db()
    assert not result.ok
    assert "could not be reached" in airbnb.last_error
    assert airbnb.last_synced_at == synced_at
    assert nights_of(RoomRateRule.objects.filter(source=airbnb)) == {monday, monday + timedelta(days=1)}


def test_a_server_error_is_reported_with_its_status(airbnb, feed_server):
    feed_server.feeds["/airbnb.ics"] = (503, b"down for maintenance")
    sync_external_calendar(airbnb)
    airbnb.refresh_from_db()
    assert "503" in airbnb.last_error


def test_a_feed_larger_than_the_limit_is_refused(airbnb, feed_server, monkeypatch):
    monkeypatch.setattr(calendar_sync, "MAX_FEED_BYTES", 100)
    fetch = lambda url: calendar_sync.fetch_feed(url, max_bytes=calendar_sync.MAX_FEED_BYTES)  # noqa: E731
    result = sync_external_calendar(airbnb, fetch=fetch)
    assert not result.ok
    assert "larger than" in result.error
    assert not RoomRateRule.objects.filter(source=airbnb).exists()


def test_a_feed_on_a_private_address_is_refused_in_production(airbnb, settings):
    settings.HOMESTAYS_CALENDAR_ALLOW_PRIVATE_HOSTS = False
    result = sync_external_calendar(airbnb)
    assert not result.ok
    assert "private network" in result.error
    assert not RoomRateRule.objects.filter(source=airbnb).exists()


def test_the_host_is_emailed_when_the_error_changes_not_on_every_run(
    homestay, feed_server, django_capture_on_commit_callbacks
):
    host = UserFactory(email="host@example.com")
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    homestay.host = host
    homestay.save()
    room = RoomTypeFactory(page=homestay)
    calendar = ExternalCalendar.objects.create(room_type=room, name="Ctrip", url=closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        sync_external_calendar(calendar)
        sync_external_calendar(calendar)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["host@example.com"]
    assert "Ctrip" in mail.outbox[0].subject
    feed_server.feeds["/broken.ics"] = (200, b"garbage")
    calendar.url = feed_server.url("/broken.ics")
    calendar.save()
    with django_capture_on_commit_callbacks(execute=True):
        sync_external_calendar(calendar)
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "url", ["ftp://example.com/cal.ics", "file:///etc/passwd", "webcal://example.com/a.ics"]
)
def test_a_non_http_address_is_refused_by_validation(single_room, url):
    calendar = ExternalCalendar(room_type=single_room, name="Other", url=url)
    with pytest.raises(ValidationError) as excinfo:
        calendar.full_clean()
    assert "url" in excinfo.value.message_dict


def test_a_non_http_address_is_never_fetched(single_room):
    calendar = ExternalCalendar.objects.create(room_type=single_room, name="Other", url="file:///etc/passwd")
    result = sync_external_calendar(calendar)
    assert not result.ok
    assert "http" in result.error


def test_imported_closures_make_the_room_unavailable_for_those_nights(airbnb, single_room, monday):
    sync_external_calendar(airbnb)
    with pytest.raises(DatesUnavailable):
        reserve(
            [
                Claim(
                    ReservationKind.STAY,
                    single_room.pk,
                    1,
                    monday + timedelta(days=1),
                    monday + timedelta(days=3),
                )
            ]
        )


def test_imported_closures_appear_in_the_export_as_closed(client, airbnb, single_room, monday):
    sync_external_calendar(airbnb)
    assert export_events(client, single_room) == {("Closed", monday, monday + timedelta(days=2))}


# Running it --------------------------------------------------------------------------------------


def test_the_command_syncs_every_calendar(airbnb, single_room, feed_server, monday):
    other = ExternalCalendar.objects.create(room_type=single_room, name="Ctrip", url=closed_port_url())
    call_command("homestays_sync_calendars", "--quiet")
    assert RoomRateRule.objects.filter(source=airbnb).exists()
    assert ExternalCalendar.objects.get(pk=other.pk).last_error


def test_the_command_syncs_only_the_calendar_asked_for(airbnb, single_room):
    other = ExternalCalendar.objects.create(room_type=single_room, name="Ctrip", url=closed_port_url())
    call_command("homestays_sync_calendars", "--calendar", str(airbnb.pk), "--quiet")
    assert RoomRateRule.objects.filter(source=airbnb).exists()
    assert ExternalCalendar.objects.get(pk=other.pk).last_error == ""


def test_the_command_rejects_an_unknown_calendar_id(db):
    with pytest.raises(CommandError):
        call_command("homestays_sync_calendars", "--calendar", "999999")


def test_the_task_syncs_every_calendar(airbnb):
    result = sync_all_calendars.enqueue()
    assert result.return_value == {"synced": 1, "failed": 0}
    assert RoomRateRule.objects.filter(source=airbnb).exists()
