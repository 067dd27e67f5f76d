"""Entry windows from a spot's entry rule, made ahead like tour slots
(``attractions.schedules``): ``generate_windows(rule)`` makes the ``EntryDay`` and
``EntryWindow`` rows for the next ``days`` days (Asia/Shanghai) on the rule's weekdays and in
its season. Idempotent (unique constraints, ``ignore_conflicts``); never deletes a window, since
one may carry bookings: a day the rule no longer opens has its windows left, and staff close a
spot with "taking reservations" off. Run by ``gates_generate_windows`` (daily) and on save in
the admin.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import EntryDay, EntryRule, EntryWindow

DEFAULT_DAYS = 30
MAX_DAYS = 400


def window_times(rule, day):
    """[(start, end)] aware datetimes of ``day``'s windows: from the first entry, each
    ``window_minutes`` long, the last ending by the closing time."""
    tz = ZoneInfo(settings.TIME_ZONE)
    step = datetime.timedelta(minutes=rule.window_minutes)
    start = datetime.datetime.combine(day, rule.opens_at, tzinfo=tz)
    close = datetime.datetime.combine(day, rule.closes_at, tzinfo=tz)
    times = []
    while start + step <= close:
        times.append((start, start + step))
        start += step
    return times


def generate_windows(rule, *, days=DEFAULT_DAYS, now=None) -> int:
    """Make the missing days and windows of [today, today + days); return the windows made."""
    days = max(1, min(int(days), MAX_DAYS))
    today = timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()
    open_days = [d for d in (today + datetime.timedelta(days=i) for i in range(days)) if rule.open_on(d)]
    if not open_days:
        return 0
    with transaction.atomic():
        EntryDay.objects.bulk_create([EntryDay(rule=rule, date=d) for d in open_days], ignore_conflicts=True)
        day_ids = dict(EntryDay.objects.filter(rule=rule, date__in=open_days).values_list("date", "pk"))
        before = EntryWindow.objects.filter(rule=rule).count()
        EntryWindow.objects.bulk_create(
            [
                EntryWindow(rule=rule, day_id=day_ids[d], starts_at=start, ends_at=end)
                for d in open_days
                for start, end in window_times(rule, d)
            ],
            ignore_conflicts=True,
        )
        return EntryWindow.objects.filter(rule=rule).count() - before


def generate_all_windows(*, days=DEFAULT_DAYS, now=None) -> int:
    return sum(generate_windows(rule, days=days, now=now) for rule in EntryRule.objects.filter(active=True))
