"""Remove the document numbers (and birth dates and phones) of group rosters whose trip ended more
than ``GROUPS_ROSTER_RETENTION_DAYS`` days ago (``groups.retention``). Run it from cron daily;
running it again removes nothing more."""

from django.core.management.base import BaseCommand

from groups.retention import purge_roster_ids


class Command(BaseCommand):
    help = "Remove the ID numbers of group rosters whose trip is past the retention days (run daily)."

    def handle(self, *args, **options):
        result = purge_roster_ids()
        self.stdout.write(
            f"Roster ID numbers removed for trips ended before {result.cutoff.isoformat()}: "
            f"{result.rosters} roster(s), {result.participants} participant(s)."
        )
