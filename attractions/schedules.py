"""Tour slots from an experience's weekly schedule.

``generate_slots(page)`` makes the ``TourSlot`` rows for the next ``days`` days (Asia/Shanghai)
from the page's schedules, skipping its closed dates:

* idempotent: an existing slot is never created twice (the (experience, starts_at) unique
  constraint backs this up, and ``bulk_create(ignore_conflicts=True)`` makes a concurrent run
  harmless); a slot it made whose ends_at no longer matches the duration is corrected;
* only the slots it made (``origin`` "schedule") are its own: a slot staff added by hand is
  never changed or deleted here, and it takes the place of a generated one at the same time;
* a future generated slot that the pattern no longer produces is deleted only if it has no live
  reservation (confirmed, or held and not expired) — the rows are locked the way the reservation
  core locks them, so a booking cannot slip in between the check and the delete; booked slots
  are kept (staff may cancel them on purpose);
* past slots are never touched; cancelled slots stay cancelled.

Only default-locale pages own slots: a translation shows its original's.
Run by the ``attractions_generate_slots`` command, the ``generate_all_slots`` task and on publish.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orders.locking import lock_rows
from orders.models import Reservation, ReservationKind
from town.cache import bump_after_commit

from .models import ExperiencePage, TourSlot, TourSlotOrigin, TourSlotStatus

DEFAULT_DAYS = 90
MAX_DAYS = 400


@dataclass
class GenerationResult:
    created: int = 0
    deleted: int = 0
    kept_booked: int = 0
    updated: int = 0


def town_tz():
    return ZoneInfo(settings.TIME_ZONE)


def wanted_starts(page, first_day, last_day, *, schedules=None, closed=None):
    """{aware start datetime} the pattern produces on the days [first_day, last_day]."""
    tz = town_tz()
    schedules = list(page.schedules.all()) if schedules is None else schedules
    closed = set(page.closed_dates.values_list("date", flat=True)) if closed is None else set(closed)
    starts = set()
    for schedule in schedules:
        times = schedule.times()
        weekdays = schedule.weekdays
        if not times or not weekdays:
            continue
        day = max(first_day, schedule.valid_from or first_day)
        last = min(last_day, schedule.valid_until or last_day)
        while day <= last:
            if day.weekday() in weekdays and day not in closed and page.in_season_on(day):
                starts.update(datetime.datetime.combine(day, t, tzinfo=tz) for t in times)
            day += datetime.timedelta(days=1)
    return starts


def generate_slots(page, *, days=DEFAULT_DAYS, now=None) -> GenerationResult:
    """Bring ``page``'s future slots in the window [today, today + days) in line with its schedule."""
    days = max(1, min(int(days), MAX_DAYS))
    page = page.canonical()
    now = now or timezone.now()
    today = timezone.localtime(now, town_tz()).date()
    window_end_day = today + datetime.timedelta(days=days)
    window_end = datetime.datetime.combine(window_end_day, datetime.time(0), tzinfo=town_tz())
    duration = datetime.timedelta(minutes=page.duration_minutes or 60)
    result = GenerationResult()

    wanted = {s for s in wanted_starts(page, today, window_end_day - datetime.timedelta(days=1)) if s > now}
    existing = {
        slot.starts_at: slot
        for slot in TourSlot.objects.filter(experience=page, starts_at__gt=now, starts_at__lt=window_end)
    }
    new = [
        TourSlot(experience=page, starts_at=start, ends_at=start + duration, origin=TourSlotOrigin.SCHEDULE)
        for start in sorted(wanted)
        if start not in existing
    ]
    generated = {start: slot for start, slot in existing.items() if slot.origin == TourSlotOrigin.SCHEDULE}
    with transaction.atomic():
        if new:
            before = TourSlot.objects.filter(experience=page).count()
            TourSlot.objects.bulk_create(new, ignore_conflicts=True)
            result.created = TourSlot.objects.filter(experience=page).count() - before
        wrong_end = [
            slot for start, slot in generated.items() if start in wanted and slot.ends_at != start + duration
        ]
        for slot in wrong_end:
            TourSlot.objects.filter(pk=slot.pk).update(ends_at=slot.starts_at + duration)
        result.updated = len(wrong_end)

        # A slot the organiser called off stays as the record of it (its orders point at it).
        stale = [
            slot.pk
            for start, slot in generated.items()
            if start not in wanted and slot.status != TourSlotStatus.CANCELLED
        ]
        if stale:
            locked = lock_rows(TourSlot, stale)
            booked = set(
                Reservation.objects.live(now)
                .filter(kind=ReservationKind.TOUR, object_id__in=list(locked))
                .values_list("object_id", flat=True)
            )
            deletable = [pk for pk in locked if pk not in booked]
            TourSlot.objects.filter(pk__in=deletable).delete()
            result.deleted = len(deletable)
            result.kept_booked = len(booked)
        if result.created or result.updated:
            # Slots are content (town.cache.CONTENT_APPS), but bulk_create and update() send no
            # signal: the cached tour pages would not show the new times until their copy lapsed.
            bump_after_commit()
    return result


def generate_all_slots(*, days=DEFAULT_DAYS, now=None) -> dict:
    """Generate for every live default-locale experience; {page id: GenerationResult}."""
    from wagtail.models import Locale

    pages = ExperiencePage.objects.live().filter(locale=Locale.get_default()).order_by("pk")
    return {page.pk: generate_slots(page, days=days, now=now) for page in pages}
