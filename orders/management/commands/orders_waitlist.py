"""Run the waiting list: offers whose time ran out pass to the next in line, and whatever is free
of something people wait for is offered (holds that ran out, seats staff added). Run it from cron
every few minutes, like ``orders_cancel_unpaid``; running it twice offers nothing twice."""

from django.core.management.base import BaseCommand

from orders.waitlist import run_waitlist


class Command(BaseCommand):
    help = "Pass lapsed waiting-list offers on and offer freed places to those waiting."

    def handle(self, *args, **options):
        count = run_waitlist()
        self.stdout.write(f"{count} waiting-list offer(s) made.")
