"""Import the hosts' external calendars (Airbnb, Ctrip, ...) into closures.

Run it from cron, e.g. every 15 minutes:
    */15 * * * *  cd /srv/tianyuan && .venv/bin/python manage.py homestays_sync_calendars --quiet
"""

from django.core.management.base import BaseCommand, CommandError

from homestays.calendar_sync import sync_calendars
from homestays.models import ExternalCalendar


class Command(BaseCommand):
    help = "Import external iCalendar feeds into room closures (all, or one with --calendar)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--calendar", type=int, action="append", help="Only this calendar id (repeatable)."
        )
        parser.add_argument("--quiet", action="store_true", help="Print only failures.")

    def handle(self, *args, calendar=None, quiet=False, **options):
        calendars = ExternalCalendar.objects.select_related("room_type__page").order_by("pk")
        if calendar:
            calendars = calendars.filter(pk__in=calendar)
            missing = set(calendar) - set(calendars.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No external calendar with id {', '.join(map(str, sorted(missing)))}.")
        results = sync_calendars(calendars)
        for result in results:
            if result.ok and not quiet:
                self.stdout.write(
                    f"ok    #{result.calendar.pk} {result.calendar}: {result.closed_nights} nights closed"
                )
            elif not result.ok:
                self.stderr.write(f"error #{result.calendar.pk} {result.calendar}: {result.error}")
        if not quiet:
            failed = sum(not r.ok for r in results)
            self.stdout.write(f"{len(results) - failed} synced, {failed} failed.")
