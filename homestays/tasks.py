"""Background tasks of the homestays app: calendar imports (see ``calendar_sync``).

Production enqueues ``sync_all_calendars`` from cron (or runs the ``homestays_sync_calendars``
command directly); the database worker of django-tasks-db runs it.
"""

from django_tasks import task

from .calendar_sync import sync_calendars, sync_external_calendar
from .models import ExternalCalendar


@task()
def sync_all_calendars() -> dict:
    """Import every external calendar; returns counts for the task result."""
    results = sync_calendars()
    return {"synced": sum(r.ok for r in results), "failed": sum(not r.ok for r in results)}


@task()
def sync_calendar(calendar_id: int) -> bool:
    """Import one external calendar (e.g. right after a host adds it); False when it failed."""
    calendar = ExternalCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return False
    return sync_external_calendar(calendar).ok
