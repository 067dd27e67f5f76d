"""The reservation core: the only way capacity is taken, for every kind of line.

Protocol (docs/architecture.md, "How a kind registers"), all in one transaction:

0. Resolve each claim to the row that carries the inventory: a translated room type, slot,
   ticket type or product id claims its default-locale original (``Inventory.canonical_ids``).
1. Lock the inventory rows (room types, tour slots, ticket types, products) with
   ``SELECT ... FOR UPDATE`` in a fixed (kind, pk) order, so concurrent bookings queue on the
   same rows and can never deadlock (see ``locking.py``; SQLite serialises writers instead).
2. Count the live claims on them: confirmed, or held and not yet expired.
3. Refuse (``SoldOut``, ``DatesUnavailable``, ``CalledOff`` once the organiser cancelled the
   thing) or insert the new claims as holds that expire after ``hold_for``.
4. Commit. All claims of a call are taken together or not at all.

Expiry: an expired hold stops counting at once because every count goes through
``Reservation.objects.live(now)``; ``release_expired`` only tidies statuses (run it as the
``orders_release_expired`` management command or the ``orders.tasks.release_expired_holds`` task)
and correctness never depends on it having run.

Confirmation (payment): a live hold is confirmed as is; a hold that expired before the payment
arrived is confirmed only if, under the same locks, capacity is still there; otherwise
``SoldOut`` and the caller refunds.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from town.page_cache import bump_stock

from .exceptions import CalledOff, DatesUnavailable, InvalidClaim, SoldOut
from .inventory import Inventory, get_inventory
from .locking import lock_rows
from .models import Reservation, ReservationStatus
from .selectors import claimed_units

# A sanity bound, not a business rule (those live in Inventory.validate): it keeps one claim
# from asking for thousands of nights.
MAX_NIGHTS = 366


@dataclass(frozen=True)
class Claim:
    """A request for ``quantity`` units of one thing; stays give the nights [start, end)."""

    kind: str
    obj_id: int
    quantity: int
    start: date | None = None
    end: date | None = None

    def nights(self) -> list[date]:
        return _nights(self.start, self.end)


def reserve(claims, *, holder=None, hold_for: timedelta = timedelta(minutes=30), now=None, replacing=()):
    """Hold all ``claims`` or none; return the new held Reservations in the order of ``claims``.

    ``replacing``: ids of standing reservations the caller releases in the same transaction
    (a stay moved to other dates, ``stay_change``): the new claims may take their capacity, so
    moving a one-room stay by one night fits. The caller holds their rows' locks."""
    claims = list(claims)
    if not claims:
        return []
    if hold_for <= timedelta(0):
        raise ValueError("hold_for must be positive.")
    now = now or timezone.now()
    today = local_today(now)
    inventories = {claim.kind: _inventory_for(claim) for claim in claims}
    for claim in claims:
        _check_shape(claim, inventories[claim.kind], today)
    if holder is not None and not getattr(holder, "is_authenticated", False):
        holder = None

    with transaction.atomic():
        claims = _canonical_claims(claims, inventories)
        objects = _lock_inventory(inventories, {(c.kind, c.obj_id) for c in claims})
        _check_claims(claims, inventories, objects, now=now, replacing=replacing)
        _after_count()
        expires_at = now + hold_for
        reservations = [
            Reservation(
                kind=claim.kind,
                inventory_key=inventories[claim.kind].key(objects[(claim.kind, claim.obj_id)]),
                object_id=claim.obj_id,
                quantity=claim.quantity,
                start_date=claim.start,
                end_date=claim.end,
                status=ReservationStatus.HELD,
                hold_expires_at=expires_at,
                holder=holder,
            )
            for claim in claims
        ]
        created = Reservation.objects.bulk_create(reservations)
        _stock_changed((claim.kind, claim.obj_id) for claim in claims)
        return created


def check(claims, *, now=None, replacing=()) -> None:
    """Would ``reserve`` take ``claims`` now? Raises the error it would raise; takes and locks
    nothing, so the answer holds only until someone books (a quote before a confirmation,
    which ``reserve`` then decides under the locks)."""
    claims = list(claims)
    now = now or timezone.now()
    today = local_today(now)
    inventories = {claim.kind: _inventory_for(claim) for claim in claims}
    for claim in claims:
        _check_shape(claim, inventories[claim.kind], today)
    claims = _canonical_claims(claims, inventories)
    objects = {}
    for kind in sorted(inventories):
        obj_ids = {c.obj_id for c in claims if c.kind == kind}
        objects.update({(kind, pk): obj for pk, obj in inventories[kind].get_objects(obj_ids).items()})
    _check_claims(claims, inventories, objects, now=now, replacing=replacing)


def confirm(reservations_or_ids, *, now=None):
    """Confirm held reservations (all or none); already confirmed ones are left as they are.

    A hold that has expired (whether or not ``release_expired`` has marked it) is confirmed only
    if capacity is still there, checked under the inventory locks; else ``SoldOut``.
    """
    ids = _ids(reservations_or_ids)
    if not ids:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        # Inventory first, then reservations: the same order as reserve(), so no deadlock.
        peek = list(Reservation.objects.filter(pk__in=ids).values_list("kind", "object_id"))
        inventories = {kind: get_inventory(kind) for kind, _obj_id in peek}
        objects = _lock_inventory(inventories, set(peek))
        reservations = {
            r.pk: r
            for r in Reservation.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        }
        missing = set(ids) - set(reservations)
        if missing:
            raise InvalidClaim(_("This reservation does not exist."))
        lapsed = []
        for reservation in reservations.values():
            if reservation.status == ReservationStatus.CANCELLED:
                raise InvalidClaim(_("This reservation was cancelled and cannot be confirmed."))
            if reservation.status != ReservationStatus.CONFIRMED and not reservation.is_live(now):
                lapsed.append(reservation)
        if lapsed:
            # Only lapsed holds need room again; live holds and confirmed ones are already counted.
            claims = [_claim_of(r) for r in lapsed]
            _check_capacity(claims, inventories, objects, now=now)
        to_confirm = [r for r in reservations.values() if r.status != ReservationStatus.CONFIRMED]
        if to_confirm:
            stamp = timezone.now()
            Reservation.objects.filter(pk__in=[r.pk for r in to_confirm]).update(
                status=ReservationStatus.CONFIRMED, updated_at=stamp
            )
            for reservation in to_confirm:
                reservation.status, reservation.updated_at = ReservationStatus.CONFIRMED, stamp
        if lapsed:
            # A lapsed hold counted for nothing; confirmed, it takes capacity again.
            _stock_changed((r.kind, r.object_id) for r in lapsed)
        return [reservations[pk] for pk in ids]


def cancel(reservations_or_ids, *, offer_to_waitlist=True) -> None:
    """Cancel held or confirmed reservations, freeing their capacity; others are left alone.

    No inventory lock is needed: giving capacity back can never oversell. Once committed, what
    was freed is offered to its waiting list (``orders.waitlist``), whichever service cancelled;
    ``offer_to_waitlist=False`` for a caller that claims the units again in the same transaction.
    """
    ids = _ids(reservations_or_ids)
    if not ids:
        return
    with transaction.atomic():
        locked = Reservation.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        freed = [r for r in locked if r.status in (ReservationStatus.HELD, ReservationStatus.CONFIRMED)]
        Reservation.objects.filter(pk__in=[r.pk for r in freed]).update(
            status=ReservationStatus.CANCELLED, updated_at=timezone.now()
        )
        _stock_changed((r.kind, r.object_id) for r in freed)
        if freed and offer_to_waitlist:
            things = sorted({(r.kind, r.object_id) for r in freed})
            # robust: a failing offer is logged and never undoes (or fails) the committed cancellation.
            transaction.on_commit(lambda: _offer_to_waitlist(things), robust=True)


def _offer_to_waitlist(things):
    from . import waitlist  # the waiting list reserves through this module

    waitlist.offer_freed(things)


def split_off(reservations_or_ids, of_quantity, quantity, *, order_line) -> list:
    """Move ``quantity`` of every ``of_quantity`` units of these standing claims onto new claims
    of ``order_line`` (same thing, nights, status and hold), so that part can be released alone
    (some of a line's tickets given back). Nothing is taken or freed: the total claimed stays."""
    ids = _ids(reservations_or_ids)
    with transaction.atomic():
        locked = Reservation.objects.select_for_update(of=("self",)).filter(
            pk__in=ids, status__in=(ReservationStatus.HELD, ReservationStatus.CONFIRMED)
        )
        parts = []
        for reservation in locked.order_by("pk"):
            moved, rest = divmod(reservation.quantity * quantity, of_quantity)
            if rest or not 0 < moved < reservation.quantity:
                raise InvalidClaim(_("This booking cannot be split."))
            reservation.quantity -= moved
            reservation.save(update_fields=["quantity", "updated_at"])
            parts.append(
                Reservation(
                    kind=reservation.kind,
                    inventory_key=reservation.inventory_key,
                    object_id=reservation.object_id,
                    quantity=moved,
                    start_date=reservation.start_date,
                    end_date=reservation.end_date,
                    status=reservation.status,
                    hold_expires_at=reservation.hold_expires_at,
                    holder_id=reservation.holder_id,
                    order_line=order_line,
                )
            )
        return Reservation.objects.bulk_create(parts)


def release_expired(now=None) -> int:
    """Mark lapsed holds as expired; return how many. A tidy-up only: counts already ignore them."""
    now = now or timezone.now()
    with transaction.atomic():
        # Skip rows a confirm() or cancel() holds right now: never wait on (or deadlock with) them;
        # the next run picks them up if they are still lapsed.
        rows = list(
            Reservation.objects.select_for_update(skip_locked=True)
            .filter(status=ReservationStatus.HELD, hold_expires_at__lte=now)
            .order_by("pk")
            .values_list("pk", "kind", "object_id")
        )
        # Counts ignored these holds from the moment they lapsed; a page cached while they stood
        # still shows them taken until now.
        _stock_changed((kind, obj_id) for _pk, kind, obj_id in rows)
        return Reservation.objects.filter(pk__in=[row[0] for row in rows]).update(
            status=ReservationStatus.EXPIRED, updated_at=timezone.now()
        )


def standing_for(order) -> list[int]:
    """The pks of an order's reservations that still stand: lines the organiser called off gave
    their claims back already (``organiser_cancel``)."""
    standing = Reservation.objects.filter(order_line__order=order, order_line__cancelled_at__isnull=True)
    return list(standing.values_list("pk", flat=True))


def local_today(now=None) -> date:
    """Today in the town's time zone, whatever zone the request activated."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()


def _stock_changed(kinds_and_ids):
    """Clear the cached pages that show these things' availability (``town.page_cache``)."""
    by_kind = defaultdict(set)
    for kind, obj_id in kinds_and_ids:
        by_kind[kind].add(obj_id)
    for kind, obj_ids in by_kind.items():
        bump_stock(kind, sorted(obj_ids))


def _after_count():
    """Runs between counting and inserting; the concurrency tests widen the race window here."""


def _inventory_for(claim) -> Inventory:
    try:
        return get_inventory(claim.kind)
    except KeyError:
        raise InvalidClaim(_("This kind of item cannot be booked."), claim=claim) from None


def _check_shape(claim, inventory, today):
    """Checks that need no database: quantity, ids, dates."""
    if not isinstance(claim.quantity, int) or claim.quantity < 1:
        raise InvalidClaim(_("Please choose a quantity of at least 1."), claim=claim)
    if not isinstance(claim.obj_id, int) or claim.obj_id < 1:
        raise InvalidClaim(_("This item does not exist."), claim=claim)
    if (claim.start is None) != (claim.end is None):
        raise InvalidClaim(_("Please give both a start and an end date."), claim=claim)
    if inventory.per_night and claim.start is None:
        raise InvalidClaim(_("Please choose your arrival and departure dates."), claim=claim)
    if claim.start is None:
        return
    if claim.end <= claim.start:
        raise DatesUnavailable(_("The departure date must be after the arrival date."), claim=claim)
    if claim.start < today:
        raise DatesUnavailable(_("These dates are in the past."), claim=claim)
    if (claim.end - claim.start).days > MAX_NIGHTS:
        raise InvalidClaim(_("This stay is too long to book online."), claim=claim)


def _canonical_claims(claims, inventories):
    """The claims on the rows that carry their inventory (one query per kind); a claim on a copy
    with no original is refused, as is one on a row that does not exist."""
    ids = defaultdict(set)
    for claim in claims:
        ids[claim.kind].add(claim.obj_id)
    originals = {kind: inventories[kind].canonical_ids(pks) for kind, pks in ids.items()}
    resolved = []
    for claim in claims:
        obj_id = originals[claim.kind].get(claim.obj_id)
        if obj_id is None:
            raise InvalidClaim(_("This item does not exist."), claim=claim)
        resolved.append(claim if obj_id == claim.obj_id else replace(claim, obj_id=obj_id))
    return resolved


def _lock_inventory(inventories, keys):
    """Lock every (kind, pk) row, kinds in name order and pks ascending; return {(kind, pk): obj}."""
    by_kind = defaultdict(set)
    for kind, obj_id in keys:
        by_kind[kind].add(obj_id)
    objects = {}
    for kind in sorted(by_kind):
        for pk, obj in lock_rows(inventories[kind].model, by_kind[kind]).items():
            objects[(kind, pk)] = obj
    return objects


def _check_claims(claims, inventories, objects, *, now, replacing=()):
    """Every check of ``reserve`` on ``objects`` (locked by it, or read by ``check``)."""
    for claim in claims:
        obj = objects.get((claim.kind, claim.obj_id))
        if obj is None:
            raise InvalidClaim(_("This item does not exist."), claim=claim)
        # Under the lock call_off() takes: a claim is refused once the organiser cancelled.
        if inventories[claim.kind].is_called_off(obj):
            raise CalledOff(claim=claim)
        inventories[claim.kind].validate(obj, claim)
    _check_capacity(claims, inventories, objects, now=now, replacing=replacing)


def _check_capacity(claims, inventories, objects, *, now, replacing=()):
    """Raise unless live claims (but those ``replacing`` names) plus ``claims`` fit the capacity
    of every unit (and night)."""
    by_kind = defaultdict(list)
    for claim in claims:
        by_kind[claim.kind].append(claim)
    for kind in sorted(by_kind):
        inventory, kind_claims = inventories[kind], by_kind[kind]
        obj_ids = sorted({c.obj_id for c in kind_claims})
        if inventory.per_night:
            _check_nights(inventory, kind_claims, objects, obj_ids, now=now, replacing=replacing)
        else:
            _check_units(inventory, kind_claims, objects, obj_ids, now=now, replacing=replacing)


def _replaced(kind, obj_ids, replacing, now):
    """The live reservations among ``replacing`` on these things: their units count as free."""
    if not replacing:
        return []
    return list(
        Reservation.objects.live(now)
        .filter(pk__in=list(replacing), kind=kind, object_id__in=obj_ids)
        .values_list("object_id", "quantity", "start_date", "end_date")
    )


def _check_units(inventory, claims, objects, obj_ids, *, now, replacing=()):
    claimed = claimed_units(inventory.kind, obj_ids, now=now)
    for obj_id, quantity, _start, _end in _replaced(inventory.kind, obj_ids, replacing, now):
        claimed[obj_id] -= quantity
    wanted = Counter()
    for claim in claims:
        wanted[claim.obj_id] += claim.quantity
        obj = _locked_object(objects, claim)
        if claimed[claim.obj_id] + wanted[claim.obj_id] > inventory.capacity(obj, None):
            raise SoldOut(claim=claim)


def _check_nights(inventory, claims, objects, obj_ids, *, now, replacing=()):
    start = min(c.start for c in claims)
    end = max(c.end for c in claims)
    claimed = claimed_units(inventory.kind, obj_ids, start, end, now=now)
    for obj_id, quantity, first, last in _replaced(inventory.kind, obj_ids, replacing, now):
        for night in _nights(max(first, start), min(last, end)):
            claimed[(obj_id, night)] -= quantity
    capacities = {}
    wanted = Counter()
    for claim in claims:
        obj = _locked_object(objects, claim)
        if claim.obj_id not in capacities:
            capacities[claim.obj_id] = inventory.capacities(obj, _nights(start, end))
        for night in claim.nights():
            capacity = capacities[claim.obj_id][night]
            if capacity <= 0:
                # Closed (or never open) that night: a date problem, not a sell-out.
                raise DatesUnavailable(claim=claim)
            wanted[(claim.obj_id, night)] += claim.quantity
            if claimed[(claim.obj_id, night)] + wanted[(claim.obj_id, night)] > capacity:
                raise SoldOut(claim=claim)


def _locked_object(objects, claim):
    try:
        return objects[(claim.kind, claim.obj_id)]
    except KeyError:
        # Only confirm() gets here: the thing was deleted while the hold lapsed.
        raise SoldOut(claim=claim) from None


def _nights(start, end):
    return [start + timedelta(days=i) for i in range((end - start).days)]


def _claim_of(reservation) -> Claim:
    return Claim(
        kind=reservation.kind,
        obj_id=reservation.object_id,
        quantity=reservation.quantity,
        start=reservation.start_date,
        end=reservation.end_date,
    )


def _ids(reservations_or_ids) -> list[int]:
    if isinstance(reservations_or_ids, (Reservation, int)):
        reservations_or_ids = [reservations_or_ids]
    ids = []
    for item in reservations_or_ids:
        pk = item.pk if isinstance(item, Reservation) else int(item)
        if pk not in ids:
            ids.append(pk)
    return ids
