"""How each app hands its sellable things to the reservation core.

The core knows nothing of rooms, slots, tickets or apples. Each app subclasses ``Inventory`` once
per kind of thing it sells and registers an instance (in its ``AppConfig.ready``):

    class RoomTypeInventory(Inventory):
        kind = ReservationKind.STAY
        model = RoomType
        per_night = True

        def capacity(self, obj, day):
            return 0 if obj.is_closed_on(day) else obj.unit_count

    register_inventory(RoomTypeInventory())

``services.reserve`` locks the ``model`` rows, then asks ``is_called_off``, ``capacity`` and
``validate`` while the locks are held, so they may read anything (closures, sales windows) and
trust it until commit. ``call_off`` is how the organiser's cancellation closes a row for good.
"""

from datetime import date

from django.db import models

_registry: dict[str, "Inventory"] = {}


class Inventory:
    kind: str
    model: type[models.Model]
    # True for stays: a claim covers the nights [start, end) and capacity is counted per night.
    per_night: bool = False

    def key(self, obj) -> str:
        return inventory_key(self.kind, obj.pk)

    def capacity(self, obj, day: date | None) -> int:
        """Units that can be sold for ``day`` (a night; None for kinds that are not per night)."""
        raise NotImplementedError

    def capacities(self, obj, days: list[date]) -> dict[date, int]:
        """Capacity for several nights; override to answer in one query instead of one per night."""
        return {day: self.capacity(obj, day) for day in days}

    def validate(self, obj, claim) -> None:
        """Extra rules (minimum nights, sales window, ...): raise a ReservationError subclass."""

    def is_called_off(self, obj) -> bool:
        """Did the organiser cancel ``obj`` (``orders.organiser_cancel``)? reserve() then refuses it."""
        return False

    def call_off(self, obj, *, reason: str, by_user) -> None:
        """Mark ``obj`` cancelled by the organiser, so that ``is_called_off`` says so from now on.

        Called with the row locked as reserve() locks it: a claim is either taken before (and
        its order cancelled with the rest) or refused after. Kinds nobody calls off leave it out.
        """
        raise NotImplementedError(f"{self.kind} cannot be called off.")

    def get_objects(self, pks) -> dict[int, models.Model]:
        """The rows for ``pks`` without locking (reads, previews); reserve() locks them itself."""
        return self.model._default_manager.in_bulk(pks)


def inventory_key(kind: str, obj_id: int) -> str:
    return f"{kind}:{obj_id}"


def register_inventory(inventory: Inventory) -> Inventory:
    """Register one inventory per kind; registering a kind again replaces it (tests do that)."""
    _registry[str(inventory.kind)] = inventory
    return inventory


def unregister_inventory(kind: str) -> None:
    _registry.pop(str(kind), None)


def get_inventory(kind: str) -> Inventory:
    """The registered inventory for ``kind``; KeyError when no app registered one."""
    return _registry[str(kind)]


def registered_kinds() -> list[str]:
    return sorted(_registry)
