"""What "right now" shows (/now/ and GET /api/v1/now): each spot's crowding and next entry window,
the car parks' free spaces, today's events and tours with seats, current notices and closures,
and the facilities. One function per part, plain dicts out, a fixed number of queries.

Availability is tagged for the page cache (town.page_cache.shows) before it is read: a parking
count, a booking or a cancellation clears the stored page and API answer at once; otherwise they
live PAGE_CACHE_STOCK_SECONDS, which also brings a notice in or out within a minute of its time.
"""

import datetime

from django.utils import timezone

from attractions.selectors import experiences_with_free_slots, town_day_start
from events.selectors import published_events
from gates.selectors import now_spots
from town import geo
from town.page_cache import shows, stock_tag
from town.translations import active_locale, localize_villages

from .facilities import all_facilities, as_marker
from .models import CarPark, Notice
from .parking import STOCK_KIND, nearest_with_room

LEVELS = ("comfortable", "busy", "full")
TOURS_SHOWN = 6
EVENTS_SHOWN = 6


def spot_rows(now):
    """Each scenic spot's crowding and next entry window, from the ``gates`` app (timed entry and
    crowding): dicts {id, name, url, entry_url, level, people, capacity, next_window: {id,
    starts_at, ends_at, places_left} | None}; level and people are None for a spot nobody
    counts."""
    return list(now_spots(now))


def car_park_rows():
    """The car parks with their free spaces; a full one points to the nearest with room."""
    shows(stock_tag(STOCK_KIND))
    car_parks = list(CarPark.objects.select_related("village").order_by("name", "pk"))
    # A car park points at the village chosen in Chinese: the English page reads its English
    # name (the locale's villages come from the content cache; none asked for without villages).
    with_villages = any(car_park.village_id for car_park in car_parks)
    localize_villages(car_parks, active_locale().pk if with_villages else None)
    rows = []
    for car_park in car_parks:
        row = {
            "id": car_park.pk,
            "name": car_park.shown_name,
            "free": car_park.free_spaces,
            "total": car_park.total_spaces,
            "full": car_park.is_full,
            "village": car_park.village_shown.name if car_park.village_shown else "",
            "map_url": geo.map_app_url(car_park.latitude, car_park.longitude, car_park.shown_name)
            if geo.has_coordinates(car_park)
            else None,
            "nearest": None,
            "lat": float(car_park.latitude) if car_park.latitude is not None else None,
            "lng": float(car_park.longitude) if car_park.longitude is not None else None,
        }
        if car_park.is_full:
            nearest = nearest_with_room(car_park, car_parks)
            if nearest is not None:
                row["nearest"] = {
                    "id": nearest.pk,
                    "name": nearest.shown_name,
                    "free": nearest.free_spaces,
                    "distance_km": nearest.distance_km,
                }
        rows.append(row)
    return rows


LEVEL_ORDER = {"danger": 0, "warning": 1, "info": 2}


def notice_rows(now):
    """Current notices, the most serious first, then the newest."""
    notices = list(Notice.objects.current(now).order_by("-starts_at", "-pk"))
    notices.sort(key=lambda notice: LEVEL_ORDER.get(notice.level, 3))
    return [
        {
            "id": notice.pk,
            "kind": notice.kind,
            "kind_label": str(notice.get_kind_display()),
            "level": notice.level,
            "title": notice.shown_title,
            "text": notice.shown_text,
            "starts_at": notice.starts_at,
            "ends_at": notice.ends_at,
        }
        for notice in notices
    ]


def event_rows(now):
    """Today's events still running (town time)."""
    today = timezone.localdate(now)
    events = (
        published_events(active_locale())
        .filter(start__lt=town_day_start(today + datetime.timedelta(days=1)), end__gt=now)
        .order_by("start", "pk")[:EVENTS_SHOWN]
    )
    return [
        {
            "title": event.title,
            "url": event.url,
            "start": timezone.localtime(event.start),
            "end": timezone.localtime(event.end),
            "venue": event.venue.title if event.venue_id else "",
        }
        for event in events
    ]


def tour_rows(now):
    """Today's tours with seats left, each with its next free slots."""
    today = timezone.localdate(now)
    pages = experiences_with_free_slots(today, today, limit=TOURS_SHOWN, now=now, slots_per_experience=3)
    return [
        {
            "title": page.title,
            "url": f"{page.url}?date={today.isoformat()}#book",
            "slots": [
                {"starts_at": slot.starts_at, "seats_left": slot.seats_left} for slot in page.free_slots
            ],
        }
        for page in pages
    ]


def map_markers(car_parks, facilities):
    """The car parks (marked P) and the facilities, for the page's map."""
    parks = [
        {"lat": row["lat"], "lng": row["lng"], "title": row["name"], "label": "P", "kind": "car-park"}
        for row in car_parks
        if row["lat"] is not None
    ]
    return parks + [as_marker(row) for row in facilities]


def now_numbers(now=None):
    """What changes by the minute (GET /api/v1/now, which the page polls): spots, car parks,
    notices."""
    now = now or timezone.now()
    return {
        "updated_at": timezone.localtime(now),
        "spots": spot_rows(now),
        "car_parks": car_park_rows(),
        "notices": notice_rows(now),
    }


def now_snapshot(now=None):
    """Everything /now/ shows, as plain data."""
    now = now or timezone.now()
    return {
        **now_numbers(now),
        "now": timezone.localtime(now),
        "events": event_rows(now),
        "tours": tour_rows(now),
        "facilities": all_facilities(),
    }
