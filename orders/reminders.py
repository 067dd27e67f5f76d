"""The day-before reminder: each visitor whose stay or tour starts tomorrow hears where and when
to be (check-in time, meeting point), once.

``send_reminders`` is run daily by ``manage.py orders_remind`` (cron, in the morning). Each line
is claimed (``OrderLine.reminded_at``) under its lock in the transaction that queues the notice,
so a second run, or two at once, never reminds anyone twice; a line booked after the run for a
start tomorrow is reminded by the next run of the same day.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import notifications
from .models import SOLD_STATUSES, OrderLine
from .reservations import local_today


def tomorrow_bounds(now=None):
    """[tomorrow 00:00, the day after 00:00) in the town's time zone."""
    tomorrow = local_today(now) + datetime.timedelta(days=1)
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=zone)
    return start, start + datetime.timedelta(days=1)


def lines_to_remind(now=None):
    """Standing lines of sold orders that start tomorrow and were not reminded yet."""
    start, end = tomorrow_bounds(now)
    return OrderLine.objects.filter(
        order__status__in=SOLD_STATUSES,
        cancelled_at__isnull=True,
        reminded_at__isnull=True,
        starts_at__gte=start,
        starts_at__lt=end,
    )


def send_reminders(now=None) -> int:
    """Queue one reminder per order for its lines starting tomorrow; returns how many orders."""
    now = now or timezone.now()
    by_order = defaultdict(list)
    for order_id, line_id in lines_to_remind(now).order_by("order_id", "pk").values_list("order_id", "pk"):
        by_order[order_id].append(line_id)
    sent = 0
    for order_id, line_ids in by_order.items():
        with transaction.atomic():
            claimed = list(
                lines_to_remind(now)
                .select_for_update(of=("self",))
                .filter(pk__in=line_ids)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not claimed:  # another run took them
                continue
            OrderLine.objects.filter(pk__in=claimed).update(reminded_at=now)
            notifications.reminder(order_id, claimed)
        sent += 1
    return sent
