"""Reads of problem reports: the visitor's status page, and the monthly response times the
town reports show (scenic areas are assessed on how fast complaints are answered and closed).

The rules of the monthly figures:

* a report counts in the month (Asia/Shanghai) it was received;
* "hours to first reply" runs from receipt to the first reply to the visitor, "hours to close"
  to closing; the month shows the median of the reports that got there;
* "within 24 h" is the share of the month's reports replied (closed) within 24 hours of receipt.
  A report not yet replied (closed) counts against the share once its 24 hours have passed, and
  is left out while they have not: it may still make it.
"""

import datetime
import statistics
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Prefetch, Q
from django.utils import timezone

from town.models import Village

from .models import ProblemReport, ReportEvent

DAY = datetime.timedelta(hours=24)
HANDLE = "change_problemreport"


def handlers():
    """Who a report can be given to, and who hears of a new one: active staff allowed to handle
    reports."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename=HANDLE, groups__permissions__content_type__app_label="feedback")
            | Q(user_permissions__codename=HANDLE, user_permissions__content_type__app_label="feedback")
        )
        .distinct()
        .order_by("email")
    )


def town_bounds():
    """The villages' extent (south, west, north, east; WGS-84), where the report form's map opens;
    None when no village has coordinates. One query, whatever the number of villages."""
    box = Village.objects.filter(latitude__isnull=False, longitude__isnull=False).aggregate(
        south=Min("latitude"), west=Min("longitude"), north=Max("latitude"), east=Max("longitude")
    )
    if box["south"] is None:
        return None
    return [f"{box[side]:.6f}" for side in ("south", "west", "north", "east")]


def report_for_visitor(ref):
    """The report behind a private link, with what its status page shows, or None."""
    if not ref or len(ref) > 32:
        return None
    return (
        ProblemReport.objects.select_related("attraction", "village")
        .annotate(photo_count=Count("photos"))
        .prefetch_related(Prefetch("events", queryset=ReportEvent.objects.only("report_id", "status", "at")))
        .filter(ref=ref)
        .first()
    )


@dataclass
class ResponseTimeRow:
    month: datetime.date  # the first day of the month
    received: int
    replied: int
    median_reply_hours: float | None
    replied_within_24h: float | None  # 0..1, None when no report of the month is due yet
    closed: int
    median_close_hours: float | None
    closed_within_24h: float | None
    open: int
    is_total: bool = False


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _hours(delta):
    return delta.total_seconds() / 3600


def _figures(month, rows, now, is_total=False):
    """One row of figures from (received, first reply, closed) triples."""
    reply_hours = [_hours(replied - created) for created, replied, _closed in rows if replied]
    close_hours = [_hours(closed - created) for created, _replied, closed in rows if closed]

    def share(index):
        due = [row for row in rows if row[index] or now - row[0] >= DAY]
        if not due:
            return None
        return sum(1 for row in due if row[index] and row[index] - row[0] <= DAY) / len(due)

    return ResponseTimeRow(
        month=month,
        received=len(rows),
        replied=len(reply_hours),
        median_reply_hours=statistics.median(reply_hours) if reply_hours else None,
        replied_within_24h=share(1),
        closed=len(close_hours),
        median_close_hours=statistics.median(close_hours) if close_hours else None,
        closed_within_24h=share(2),
        open=len(rows) - len(close_hours),
        is_total=is_total,
    )


def response_time_rows(start: datetime.date, end: datetime.date, village_id=None) -> list[ResponseTimeRow]:
    """Month by month, the local days ``start`` .. ``end - 1``, then the whole period (a total row).

    One query; medians in Python (a month has tens of reports, not millions)."""
    tz = _tz()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end, datetime.time.min, tzinfo=tz)
    reports = ProblemReport.objects.filter(created_at__gte=since, created_at__lt=until)
    if village_id is not None:
        reports = reports.filter(village_id=village_id)
    by_month = {}
    for created, replied, closed in reports.order_by("created_at").values_list(
        "created_at", "first_replied_at", "closed_at"
    ):
        month = timezone.localtime(created, tz).date().replace(day=1)
        by_month.setdefault(month, []).append((created, replied, closed))
    now = timezone.now()
    months, month = [], start.replace(day=1)
    while month < end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    rows = [_figures(month, by_month.get(month, []), now) for month in months]
    everything = [row for month_rows in by_month.values() for row in month_rows]
    rows.append(_figures(start, everything, now, is_total=True))
    return rows
