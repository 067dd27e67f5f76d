"""Mark lapsed reservation holds as expired. Run it from cron every few minutes; it is a tidy-up,
capacity counts already ignore expired holds without it."""

from django.core.management.base import BaseCommand

from orders.reservations import release_expired


class Command(BaseCommand):
    help = "Mark reservation holds whose time has run out as expired."

    def handle(self, *args, **options):
        count = release_expired()
        self.stdout.write(f"{count} expired hold(s) released.")
