"""The day-before reminders (``orders.reminders``): run it daily from cron, in the morning;
running it again the same day reminds nobody twice."""

from django.core.management.base import BaseCommand

from orders.reminders import send_reminders


class Command(BaseCommand):
    help = "Remind visitors whose stay or tour starts tomorrow (check-in time, meeting point)."

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(f"{count} reminder(s) sent.")
