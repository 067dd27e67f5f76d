"""Re-index the products whose certificates expired (or began) since the last run, so the search
facet "certified" follows the town's calendar (``products.certificates``). Run it from cron daily
just after midnight; a second run the same day does nothing."""

from django.core.management.base import BaseCommand

from products.certificates import reindex_changed_certificates


class Command(BaseCommand):
    help = (
        "Re-index products whose certificates expired or began since the last run (run daily after midnight)."
    )

    def handle(self, *args, **options):
        result = reindex_changed_certificates()
        self.stdout.write(
            f"Certificates changed since {result.since.isoformat()}: {result.certificates}; "
            f"products re-indexed through {result.through.isoformat()}: {result.products}."
        )
