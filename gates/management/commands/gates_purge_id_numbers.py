"""Remove the ID numbers of real-name entries whose visit day is more than
``GATES_ID_RETENTION_DAYS`` days past (``gates.retention``). Run it from cron daily; running it
again removes nothing more."""

from django.core.management.base import BaseCommand

from gates.retention import purge_id_numbers


class Command(BaseCommand):
    help = "Remove the ID numbers of timed entries whose day is past the retention days (run daily)."

    def handle(self, *args, **options):
        result = purge_id_numbers()
        self.stdout.write(
            f"ID numbers removed for visit days before {result.cutoff.isoformat()}: "
            f"{result.lines} order line(s), {result.passes} pass(es), "
            f"{result.basket_lines} stale basket line(s) deleted."
        )
