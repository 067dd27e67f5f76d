"""Remind groups of their balance (``orders.deposits.send_balance_reminders``): run it daily from
cron, in the morning; each order is reminded once."""

from django.core.management.base import BaseCommand, CommandError

from orders.deposits import send_balance_reminders


class Command(BaseCommand):
    help = "Text and mail each group whose balance falls due within --days days (once)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Days before the balance date (7).")

    def handle(self, *args, days=7, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        count = send_balance_reminders(days_before=days)
        self.stdout.write(f"{count} balance reminder(s) sent.")
