"""Moving claims made on translated rows onto the rows that carry the inventory (a repair).

Before every id was resolved to its default-locale original (``Inventory.canonical_ids``), a line
posted with a translation's id was held, confirmed and counted on the copy, beside the original's
own claims. ``move_translated_claims`` puts such reservations, and the basket and order lines
that name them, on the original, so they count against the one real capacity again; it reports
what it moved so staff can check those items for double bookings. Running it twice moves nothing
the second time.
"""

from dataclasses import dataclass

from django.db import transaction

from .inventory import get_inventory, inventory_key, registered_kinds
from .models import BasketLine, OrderLine, Reservation


@dataclass(frozen=True)
class Moved:
    kind: str
    from_id: int
    to_id: int
    reservations: int
    lines: int


def move_translated_claims() -> tuple[list[Moved], list[tuple[str, int]]]:
    """(what was moved, (kind, id) of existing copies named by claims or lines that have no
    original to move to). Ids of rows deleted since are left alone: history keeps them."""
    moved, orphans = [], []
    with transaction.atomic():
        for kind in registered_kinds():
            ids = set()
            for model in (Reservation, BasketLine, OrderLine):
                ids.update(model.objects.filter(kind=kind).values_list("object_id", flat=True).distinct())
            if not ids:
                continue
            inventory = get_inventory(kind)
            originals = inventory.canonical_ids(ids)
            unresolved = ids - set(originals)
            if unresolved:
                rows = inventory.model._default_manager.filter(pk__in=unresolved)
                orphans.extend((kind, pk) for pk in sorted(rows.values_list("pk", flat=True)))
            for obj_id, original in sorted(originals.items()):
                if original == obj_id:
                    continue
                reservations = Reservation.objects.filter(kind=kind, object_id=obj_id).update(
                    object_id=original, inventory_key=inventory_key(kind, original)
                )
                lines = sum(
                    model.objects.filter(kind=kind, object_id=obj_id).update(object_id=original)
                    for model in (BasketLine, OrderLine)
                )
                moved.append(Moved(kind, obj_id, original, reservations, lines))
    return moved, orphans
