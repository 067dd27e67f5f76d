from django.core.management.base import BaseCommand

from live.services import return_unsold


class Command(BaseCommand):
    help = "Give back to the shop the units ended live sessions did not sell (run every few minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"{return_unsold()} units returned.")
