"""Each farmer's morning list of today's deliveries to homestays (``products.deliveries``): run
it daily from cron, early in the morning; running it again the same day lists nothing twice."""

from django.core.management.base import BaseCommand

from products.deliveries import send_morning_lists


class Command(BaseCommand):
    help = "Send each farmer the list of today's deliveries to homestays."

    def handle(self, *args, **options):
        count = send_morning_lists()
        self.stdout.write(f"{count} farmer list(s) sent.")
