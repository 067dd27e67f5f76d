"""Reads of timed entry and crowding: a spot's windows with the places left, and the spots for
the "right now" page. Each in a fixed number of queries, whatever the number of windows or spots."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attractions.models import AttractionPage
from orders.selectors import claimed_units
from town.page_cache import cached_showing, shows, stock_tag
from town.translations import in_language

from .crowding import CROWD_STOCK
from .gate import may_keep_gate
from .inventory import ENTRY, ENTRY_DAY
from .models import EntryRule, EntryWindow, crowd_level

# How far ahead the "right now" page looks for a spot's next window with room.
NEXT_WINDOW_DAYS = 2
# How far ahead a spot's own page looks for the next window with room.
ENTRY_CALL_DAYS = 7


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


def next_free_windows(rules, *, now, days):
    """{spot pk: {id, starts_at, ends_at, places_left}} of each rule's first window with room in
    the next ``days`` days; three queries (none without rules)."""
    if not rules:
        return {}
    until = now + datetime.timedelta(days=days)
    windows = list(
        EntryWindow.objects.filter(rule__in=rules, ends_at__gt=now, starts_at__lt=until)
        .select_related("rule")
        .order_by("starts_at", "pk")
    )
    left = _places_left(windows, now=now)
    found = {}
    for w in windows:
        if left[w.pk] > 0 and w.rule.spot_id not in found:
            found[w.rule.spot_id] = {
                "id": w.pk,
                "starts_at": w.starts_at,
                "ends_at": w.ends_at,
                "places_left": left[w.pk],
            }
    return found


def _entry_calls(now):
    # Before the reads (town.page_cache): a booking of any entry makes the value a miss.
    shows(stock_tag(ENTRY))
    rules = list(EntryRule.objects.filter(active=True, spot__live=True).select_related("spot"))
    windows = next_free_windows(rules, now=now, days=ENTRY_CALL_DAYS)
    return {
        str(rule.spot.translation_key): {
            "url": reverse("gates_book", args=[rule.spot_id]),
            "next_window": windows.get(rule.spot_id),
            "days": ENTRY_CALL_DAYS,
        }
        for rule in rules
    }


def entry_call(page, *, now=None):
    """The "book entry" call to action of a spot's page (any of its translations): {url,
    next_window: {id, starts_at, ends_at, places_left} | None, days}, or None when the spot
    takes no reservations. One value for every spot, kept like a page that shows availability
    (town.page_cache.cached_showing): a warm page pays no query, a cold one one query without
    timed entry anywhere and four with it."""
    now = now or timezone.now()
    calls = cached_showing(("entry-calls", get_language()), lambda: _entry_calls(now))
    return calls.get(str(page.translation_key))


def staff_gates(user):
    """The spot gates and head counters ``user`` may keep, for the staff gate index (town.spots):
    [{title, url, label}], by spot name. Two queries; none for a visitor."""
    if not may_keep_gate(user):
        return []
    spots = list(
        AttractionPage.objects.live()
        .filter(Q(entry_rule__isnull=False) | Q(crowd__isnull=False))
        .select_related("entry_rule")
    )
    shown = in_language(spots)
    gates = []
    for spot in sorted(spots, key=lambda s: shown[s.pk].title):
        title = shown[spot.pk].title
        if getattr(spot, "entry_rule", None) is not None:
            gates.append(
                {"title": title, "url": reverse("gates_gate", args=[spot.pk]), "label": _("Spot gate")}
            )
        gates.append(
            {"title": title, "url": reverse("gates_counter", args=[spot.pk]), "label": _("Head count")}
        )
    return gates


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
    next_window = next_free_windows([r for r in rules.values() if r.active], now=now, days=NEXT_WINDOW_DAYS)
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
