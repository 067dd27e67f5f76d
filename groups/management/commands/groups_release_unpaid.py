"""Accepted quotes whose deposit did not come within the quote's hold time: their orders are
cancelled, the holds released and the quotes open again (``groups.services.release_unpaid_quotes``).
Run it from cron (say every 15 minutes) or enqueue ``groups.tasks.release_unpaid_quotes``;
running it twice changes nothing the second time."""

from django.core.management.base import BaseCommand

from groups.services import release_unpaid_quotes


class Command(BaseCommand):
    help = "Release the holds of accepted group quotes whose deposit was not paid in time."

    def handle(self, *args, **options):
        count = release_unpaid_quotes()
        self.stdout.write(f"{count} quote(s) reopened.")
