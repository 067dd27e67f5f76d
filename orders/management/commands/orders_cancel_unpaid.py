"""Cancel online orders left unpaid: their holds expired more than ORDERS_UNPAID_GRACE_MINUTES
(default 120) ago. Run it from cron (say every 15 minutes) or enqueue
``orders.tasks.cancel_unpaid_orders``; running it twice changes nothing the second time."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from orders.order_state import cancel_unpaid_orders, unpaid_grace


class Command(BaseCommand):
    help = "Cancel online orders not paid in time (holds expired more than the grace period ago)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=None,
            help="Override ORDERS_UNPAID_GRACE_MINUTES for this run.",
        )

    def handle(self, *args, grace_minutes=None, **options):
        if grace_minutes is not None and grace_minutes < 0:
            raise CommandError("--grace-minutes cannot be negative.")
        grace = unpaid_grace() if grace_minutes is None else timedelta(minutes=grace_minutes)
        count = cancel_unpaid_orders(grace=grace)
        self.stdout.write(f"{count} unpaid order(s) cancelled.")
