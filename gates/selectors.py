"""Reads of timed entry and crowding: a spot's windows with the places left, and the spots for
the "right now" page. Each in a fixed number of queries, whatever the number of windows or spots."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from attractions.models import AttractionPage
from orders.selectors import claimed_units
from town.page_cache import shows, stock_tag
from town.translations import in_language

from .crowding import CROWD_STOCK
from .inventory import ENTRY, ENTRY_DAY
from .models import EntryRule, EntryWindow, crowd_level

# How far ahead the "right now" page looks for a spot's next window with room.
NEXT_WINDOW_DAYS = 2


def rule_for(spot_id):
    return EntryRule.objects.select_related("spot").filter(spot_id=spot_id).first()


def _places_left(windows, *, now):
    """{window pk: places left, the smaller of the window's and its day's}; two queries."""
    if not windows:
        return {}
    taken = claimed_units(ENTRY, sorted(w.pk for w in windows), now=now)
    taken_days = claimed_units(ENTRY_DAY, sorted({w.day_id for w in windows}), now=now)
    return {
        w.pk: max(
            0, min(w.capacity - taken[w.pk], w.rule.per_day - taken_days[w.day_id]) if w.rule.active else 0
        )
        for w in windows
    }


def windows_on(rule, day, *, now=None):
    """[{id, starts_at, ends_at, places_left}] of ``rule``'s windows on ``day`` that are not over;
    three queries."""
    now = now or timezone.now()
    windows = list(
        EntryWindow.objects.filter(rule=rule, day__date=day, ends_at__gt=now)
        .select_related("rule")
        .order_by("starts_at")
    )
    left = _places_left(windows, now=now)
    return [
        {"id": w.pk, "starts_at": w.starts_at, "ends_at": w.ends_at, "places_left": left[w.pk]}
        for w in windows
    ]


def open_days(rule, *, now=None, days=14):
    """The next dates with windows (for the date picker); one query."""
    today = timezone.localdate(now)
    return list(
        rule.days.filter(date__gte=today, date__lt=today + datetime.timedelta(days=days))
        .order_by("date")
        .values_list("date", flat=True)
    )


def now_spots(now=None):
    """The spots with timed entry or a crowd count, for the "right now" page: [{id, name, url,
    level, people, capacity, next_window: {id, starts_at, ends_at, places_left} | None}], in the
    active language, ordered by name. Five queries, six in a language other than the default
    (plus the site's root paths for the URLs, cached)."""
    now = now or timezone.now()
    # Before the reads (town.page_cache): a booking of an entry or a new head count clears the
    # pages and answers that show them.
    shows(stock_tag(ENTRY), stock_tag(CROWD_STOCK))
    # One query for the spots with timed entry or a head count, with both (reverse one-to-ones).
    spots, rules, crowds = {}, {}, {}
    for spot in (
        AttractionPage.objects.live()
        .filter(Q(entry_rule__isnull=False) | Q(crowd__isnull=False))
        .select_related("entry_rule", "crowd")
    ):
        spots[spot.pk] = spot
        if (rule := getattr(spot, "entry_rule", None)) is not None:
            rules[spot.pk] = rule
        if (crowd := getattr(spot, "crowd", None)) is not None:
            crowds[spot.pk] = crowd
    until = now + datetime.timedelta(days=NEXT_WINDOW_DAYS)
    windows = list(
        EntryWindow.objects.filter(
            rule__in=[r for r in rules.values() if r.active], ends_at__gt=now, starts_at__lt=until
        )
        .select_related("rule")
        .order_by("starts_at", "pk")
    )
    left = _places_left(windows, now=now)
    next_window = {}
    for w in windows:
        if left[w.pk] > 0 and w.rule.spot_id not in next_window:
            next_window[w.rule.spot_id] = {
                "id": w.pk,
                "starts_at": w.starts_at,
                "ends_at": w.ends_at,
                "places_left": left[w.pk],
            }
    shown = in_language(spots.values())
    found = []
    for pk in spots:
        crowd = crowds.get(pk)
        people = crowd.people if crowd else 0
        found.append(
            {
                "id": pk,
                "name": shown[pk].title,
                "url": shown[pk].url,
                "entry_url": reverse("gates_book", args=[pk]) if pk in rules and rules[pk].active else None,
                "level": crowd_level(people, crowd.comfortable, crowd.maximum) if crowd else None,
                "people": people if crowd else None,
                "capacity": crowd.maximum if crowd else None,
                "next_window": next_window.get(pk),
            }
        )
    return sorted(found, key=lambda spot: spot["name"])
