from django.core.management.base import BaseCommand

from gates.schedules import DEFAULT_DAYS, MAX_DAYS, generate_all_windows


class Command(BaseCommand):
    help = "Make the entry windows of every spot with timed entry for the next days (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"How far ahead (1–{MAX_DAYS}).")

    def handle(self, *args, days, **options):
        made = generate_all_windows(days=days)
        self.stdout.write(f"{made} entry windows made.")
