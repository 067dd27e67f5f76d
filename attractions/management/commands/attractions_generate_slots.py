"""Generate tour slots from the experiences' schedules. Run daily from cron; running twice is harmless."""

from django.core.management.base import BaseCommand, CommandError

from attractions.models import ExperiencePage
from attractions.schedules import DEFAULT_DAYS, MAX_DAYS, generate_all_slots, generate_slots


class Command(BaseCommand):
    help = "Create the tour slots of the next days from each experience's weekly schedule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help="How many days ahead (default 90)."
        )
        parser.add_argument("--page", type=int, help="Only this experience page id.")

    def handle(self, *args, days, page=None, **options):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        if page is not None:
            experience = ExperiencePage.objects.filter(pk=page).first()
            if experience is None:
                raise CommandError(f"No experience page with id {page}.")
            results = {experience.pk: generate_slots(experience, days=days)}
        else:
            results = generate_all_slots(days=days)
        for page_id, result in results.items():
            self.stdout.write(
                f"experience {page_id}: {result.created} created, {result.deleted} deleted, "
                f"{result.kept_booked} kept (booked), {result.updated} updated"
            )
        self.stdout.write(f"{len(results)} experience(s) done.")
