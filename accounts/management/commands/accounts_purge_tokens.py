"""Delete app tokens that expired or were revoked more than a day ago. Run it from cron daily; it
is a tidy-up, such tokens are refused without it."""

from django.core.management.base import BaseCommand

from accounts.tokens import purge_dead_tokens


class Command(BaseCommand):
    help = "Delete API tokens expired or revoked more than a day ago."

    def handle(self, *args, **options):
        count = purge_dead_tokens()
        self.stdout.write(f"{count} dead token(s) deleted.")
