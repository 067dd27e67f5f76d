"""How each app hands its sellable things to the reservation core.

The core knows nothing of rooms, slots, tickets or apples. Each app subclasses ``Inventory`` once
per kind of thing it sells and registers an instance (in its ``AppConfig.ready``):

    class RoomTypeInventory(Inventory):
        kind = "stay"
        model = RoomType
        per_night = True

        def capacity(self, obj, day):
            return 0 if obj.is_closed_on(day) else obj.unit_count

    register_inventory(RoomTypeInventory())

``reservations.reserve`` locks the ``model`` rows, then asks ``is_called_off``, ``capacity`` and
``validate`` while the locks are held, so they may read anything (closures, sales windows) and
trust it until commit. ``call_off`` is how the organiser's cancellation closes a row for good.

Translations: a translated page or snippet copies its rows (an English room type, ticket type or
product has its own id), but the thing sold is one. Every id is first resolved to the row that
carries the inventory, the default-locale original (``Inventory.canonical_ids``): line kinds
resolve what a visitor posted, and ``reserve`` resolves every claim again before it locks, so no
path can lock, count or close a copy.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import TranslatableMixin

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

    def nights_closed(self, obj, start: date, end: date) -> bool:
        """Per-night kinds: are all the nights [start, end) of ``obj`` closed to new claims?"""
        return False

    def close_nights(self, obj, start: date, end: date, *, reason: str, by_user, call_off=None) -> bool:
        """Per-night kinds: close the nights [start, end) of ``obj`` for the organiser's call-off
        ``call_off`` (a ``CallOff``; ``capacity`` answers 0 for them from then on), so that only
        staff can reopen them. Called with the row locked as reserve() locks it, like
        ``call_off``. True if it closed anything; False when earlier call-offs hold them already."""
        raise NotImplementedError(f"{self.kind} has no nights to close.")

    def providers(self, object_ids) -> dict:
        """{user: [rows]}: who provides these rows (a homestay's host), told when the organiser
        closes them. Kinds with nobody to tell leave it out."""
        return {}

    def canonical_ids(self, pks) -> dict[int, int]:
        """{id: id of the row that carries its inventory} for the ids that name a row; a
        translation's id maps to its default-locale original's, an id with no original is left
        out. Override when rows are shared another way (slots of a translated experience)."""
        return canonical_ids(self.model, pks)

    def get_objects(self, pks) -> dict[int, models.Model]:
        """The rows for ``pks`` without locking (reads, previews); reserve() locks them itself."""
        return self.model._default_manager.in_bulk(pks)


def default_language() -> str:
    """The language of the default locale, whose rows carry the inventory."""
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def canonical_ids(model, pks, *, via="", same=()) -> dict[int, int]:
    """Map each id of ``pks`` naming a ``model`` row to the id of the row that is sold, in one query.

    Rows of a ``TranslatableMixin`` model (or hanging from one through the relation ``via``) are
    copies of the default-locale row with the same translation key (and the same ``same``
    fields): they map to it, and are left out when it does not exist. Other rows are their own.
    """
    # Ids out of the 64-bit range name nothing (and SQLite cannot even take them as parameters).
    pks = {pk for pk in pks if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63}
    if not pks:
        return {}
    rows = model._default_manager.filter(pk__in=pks)
    translated_model = model._meta.get_field(via).related_model if via else model
    if not issubclass(translated_model, TranslatableMixin):
        return {pk: pk for pk in rows.values_list("pk", flat=True)}
    prefix = f"{via}__" if via else ""
    originals = model._default_manager.filter(
        **{
            f"{prefix}locale__language_code": default_language(),
            f"{prefix}translation_key": OuterRef(f"{prefix}translation_key"),
        },
        **{name: OuterRef(name) for name in same},
    ).order_by("pk")
    rows = rows.annotate(original=Subquery(originals.values("pk")[:1])).order_by()
    return {pk: original for pk, original in rows.values_list("pk", "original") if original is not None}


def canonical_id(kind: str, obj_id) -> int | None:
    """The id of the row that ``obj_id`` of ``kind`` sells (see ``canonical_ids``), or None."""
    return get_inventory(kind).canonical_ids([obj_id]).get(obj_id)


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


def validate_kind(value):
    """The validator of the core's ``kind`` fields (reservations, basket and order lines): a kind
    some app registered, not a fixed list, so a new kind needs no migration here. Every line kind
    claims from the inventory of its own name, so the inventories name them all."""
    if value not in _registry:
        raise ValidationError(_("“%(kind)s” is not a kind of item sold here."), params={"kind": value})
