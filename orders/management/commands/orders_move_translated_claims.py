"""Move reservations and lines made on a translated row (an English room type, ...) onto the
default-locale row that carries the inventory; see ``orders.canonical``. Safe to run again."""

from django.core.management.base import BaseCommand

from orders.canonical import move_translated_claims


class Command(BaseCommand):
    help = "Move claims made on translated rows onto the rows that carry the inventory."

    def handle(self, *args, **options):
        moved, orphans = move_translated_claims()
        for item in moved:
            self.stdout.write(
                f"{item.kind} {item.from_id} -> {item.to_id}: {item.reservations} reservation(s), "
                f"{item.lines} line(s) moved; check {item.kind}:{item.to_id} for double bookings."
            )
        for kind, obj_id in orphans:
            self.stdout.write(f"{kind} {obj_id}: a translated copy without an original; left as is.")
        self.stdout.write(f"{len(moved)} translated row(s) moved.")
