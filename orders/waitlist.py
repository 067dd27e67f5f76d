"""The waiting list for sold-out tour slots, ticket types and room types on given nights.

* ``join``: a visitor with a verified address waits for something sold out, with the quantity
  wanted; something that can be had is refused (``NotSoldOut``: book it now).
* ``offer_freed``: when capacity frees, the entries of that thing are offered it in the order they
  joined. An offer IS a hold in the reservation core (``reservations.reserve``, held for
  ``offer_hold()``, 12 hours by default), so it can never exceed what is free and no checkout can
  take those units while it runs. Fairness: first come, first offered; an entry whose quantity
  does not fit what is free is skipped (it keeps its place) and the next one that fits is offered,
  as pretix does; a larger wish is offered as soon as enough frees.
* Who calls it: ``reservations.cancel`` after its commit (a line or an order cancelled, a payment
  given up, an offer left or lapsed), and ``run_waitlist`` (the ``orders_waitlist`` command / the
  ``orders.tasks.run_waitlist`` task, every few minutes), which lets lapsed offers pass to the
  next and catches what frees without a cancellation (a hold running out, staff adding seats).
* The offer's e-mail links to ``offer_page``: the visitor puts it in their basket, where the held
  units count as theirs (``selectors.offers_are_theirs``); ``take_offers`` gives the hold up
  inside the checkout's transaction, just before the checkout claims the same units.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.services import require_verified_email

from . import notifications, reservations
from .basket import add_line as basket_add_line
from .exceptions import ReservationError, SoldOut
from .inventory import get_inventory
from .lines import LineInvalid, describing_kind, get_line_kind
from .locking import lock_rows
from .models import ACTIVE_STATUSES, WaitlistEntry, WaitlistStatus

logger = logging.getLogger(__name__)

# The kinds a visitor can wait for (produce is restocked by its farmer, not freed by others).
WAITLIST_KINDS = ("stay", "ticket", "tour")
# The field of each kind's line that carries the quantity asked for (``join(..., quantity=)``).
QUANTITY_FIELDS = {"stay": "rooms", "ticket": "quantity", "tour": "adults"}
DEFAULT_OFFER_HOURS = 12


class WaitlistError(Exception):
    """A refusal with a message to show as is and a ``code`` for the API (``status``: its HTTP answer)."""

    code = "waitlist"
    status = 409

    def __init__(self, message, *, code=None, status=None):
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        super().__init__(str(message))


class NotSoldOut(WaitlistError):
    code = "not_sold_out"

    def __init__(self):
        super().__init__(_("There are still places for this: book it now, no need to wait."))


class AlreadyWaiting(WaitlistError):
    code = "already_waiting"

    def __init__(self):
        super().__init__(_("You are already on the waiting list for this."))


class EntryNotFound(WaitlistError):
    code = "not_found"
    status = 404

    def __init__(self):
        super().__init__(_("This waiting-list entry does not exist."))


def offer_hold() -> timedelta:
    """How long an offer holds the freed units for the visitor (``WAITLIST_OFFER_HOURS``)."""
    return timedelta(hours=float(getattr(settings, "WAITLIST_OFFER_HOURS", DEFAULT_OFFER_HOURS)))


# --- the visitor's side -----------------------------------------------------------------------


def join(user, data: dict, *, quantity=None, language="", now=None) -> WaitlistEntry:
    """Put ``user`` on the waiting list for the line ``data`` (as the basket takes it, with its
    ``kind``); ``quantity``, if given, fills the kind's own count field (rooms, tickets, adults).

    Raises ``UnverifiedEmail`` (403), ``LineInvalid`` (422), ``NotSoldOut`` (409: book it now),
    ``AlreadyWaiting`` (409), ``WaitlistError`` with the reservation error's code (409: the thing
    cannot be booked at all, e.g. called off or started)."""
    require_verified_email(user)
    data = dict(data or {})
    kind = data.get("kind")
    if kind not in WAITLIST_KINDS:
        raise LineInvalid({"kind": _("There is no waiting list for this kind of item.")})
    if quantity is not None:
        data[QUANTITY_FIELDS[kind]] = quantity
    handler = get_line_kind(kind)
    entry = _entry_for(
        handler.validate(data),
        user=user,
        line_data={key: value for key, value in data.items() if key != "note"},
        language=language or "",
    )
    try:
        handler.check(entry.as_line(), now=now)
    except SoldOut:
        pass
    except ReservationError as exc:
        raise WaitlistError(exc.message, code=exc.code) from None
    else:
        raise NotSoldOut()
    with transaction.atomic():
        # Joins and offers of one thing queue on its inventory row: no double entry slips in.
        lock_rows(get_inventory(kind).model, [entry.object_id])
        if _same_wish(WaitlistEntry.objects.filter(user=user, status__in=ACTIVE_STATUSES), entry).exists():
            raise AlreadyWaiting()
        entry.save()
    return entry


def leave(user, entry_id, *, now=None) -> WaitlistEntry:
    """The visitor leaves the list; an offer they held goes to the next in line (after commit)."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update()
            .filter(pk=entry_id, user=user, status__in=ACTIVE_STATUSES)
            .first()
        )
        if entry is None:
            raise EntryNotFound()
        _close(entry, WaitlistStatus.LEFT)
    return entry


def entries_of(user):
    """The visitor's entries still in line and their recent offers (booked, lapsed), newest
    first, each with its ``position`` (None once out of line): one query."""
    return with_positions(
        WaitlistEntry.objects.filter(user=user)
        .exclude(status__in=(WaitlistStatus.LEFT, WaitlistStatus.REMOVED))
        .select_related("offer")
        .order_by("-created_at", "-pk")[:50]
    )


def with_positions(queryset):
    """``queryset`` with ``position``: 1 + the entries in line for the same thing (and, for
    stays, some of the same nights) that joined before; counted in the same query."""
    before = (
        WaitlistEntry.objects.filter(
            kind=OuterRef("kind"), object_id=OuterRef("object_id"), status__in=ACTIVE_STATUSES
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .filter(
            Q(start_date__isnull=True)
            | Q(end_date__isnull=True)
            | Q(start_date__lt=OuterRef("end_date"), end_date__gt=OuterRef("start_date"))
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(queryset.annotate(ahead=Coalesce(Subquery(before[:1]), 0)))
    for entry in rows:
        entry.position = entry.ahead + 1 if entry.is_active else None
    return rows


def live_offer(user, entry_id, *, now=None) -> WaitlistEntry:
    """The visitor's offer ``entry_id`` while it runs; else ``EntryNotFound``."""
    now = now or timezone.now()
    entry = (
        WaitlistEntry.objects.select_related("offer")
        .filter(pk=entry_id, user=user, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now)
        .first()
    )
    if entry is None:
        raise EntryNotFound()
    return entry


def take_offers(user, basket_lines, *, now=None) -> list[int]:
    """Inside the checkout's transaction, before it claims: give up the holds of ``user``'s running
    offers that ``basket_lines`` are for, so the checkout claims those units itself (under the same
    inventory locks, in the same commit: nobody else can take them in between). Returns the entry
    pks, marked booked; a checkout that fails rolls all of it back and the offer stands."""
    wanted = {(line.kind, line.object_id, line.start_date, line.end_date) for line in basket_lines}
    if not wanted or user is None:
        return []
    now = now or timezone.now()
    offers = WaitlistEntry.objects.select_for_update().filter(
        user=user, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
    )
    taken = [e for e in offers.order_by("pk") if (e.kind, e.object_id, e.start_date, e.end_date) in wanted]
    if taken:
        # Freed only inside this transaction: the checkout's reserve() counts without them. After
        # the commit, whatever the checkout did not take again (a smaller line) goes to the next.
        reservations.cancel([e.offer_id for e in taken])
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in taken]).update(
            status=WaitlistStatus.BOOKED, updated_at=timezone.now()
        )
    return [e.pk for e in taken]


# --- offering what frees ----------------------------------------------------------------------


def offer_freed(things, *, now=None) -> list[WaitlistEntry]:
    """Offer what is free of each (kind, object id) of ``things`` to its waiting entries, first
    come first served; an entry whose quantity does not fit is skipped. Returns the entries offered."""
    things = sorted({(kind, obj_id) for kind, obj_id in things if kind in WAITLIST_KINDS})
    if not things:
        return []
    waiting = WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING)
    query = Q()
    for kind, obj_id in things:
        query |= Q(kind=kind, object_id=obj_id)
    entries = list(waiting.filter(query).order_by("created_at", "pk").values_list("pk", flat=True))
    return [entry for entry in (_offer(pk, now=now) for pk in entries) if entry is not None]


def _offer(entry_id, *, now=None) -> WaitlistEntry | None:
    now = now or timezone.now()
    try:
        with transaction.atomic():
            entry = (
                WaitlistEntry.objects.select_for_update()
                .filter(pk=entry_id, status=WaitlistStatus.WAITING)
                .first()
            )
            if entry is None:  # left, or offered by a sweep running alongside
                return None
            claims = get_line_kind(entry.kind).claims(entry.as_line())
            (hold,) = reservations.reserve(claims, holder=entry.user, hold_for=offer_hold(), now=now)
            entry.status, entry.offer = WaitlistStatus.OFFERED, hold
            entry.offered_at, entry.offer_expires_at = now, hold.hold_expires_at
            entry.save(update_fields=["status", "offer", "offered_at", "offer_expires_at", "updated_at"])
            notifications.waitlist_offer(entry)
            return entry
    except ReservationError:
        # Not enough free for this one (or the thing closed meanwhile): it keeps its place.
        return None


def expire_offers(*, now=None) -> list:
    """Offers whose time ran out leave the line (lapsed) and give their units back; returns the
    (kind, object id) of each, to be offered to the next."""
    now = now or timezone.now()
    freed = []
    with transaction.atomic():
        lapsed = list(
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(status=WaitlistStatus.OFFERED, offer_expires_at__lte=now)
            .order_by("pk")
        )
        for entry in lapsed:
            _close(entry, WaitlistStatus.LAPSED, offer_next=False)
            freed.append((entry.kind, entry.object_id))
    return freed


def run_waitlist(*, now=None) -> int:
    """The periodic run: lapsed offers pass to the next, and whatever is free of every thing with
    someone waiting is offered (holds that ran out, seats staff added). Returns the offers made."""
    now = now or timezone.now()
    expire_offers(now=now)
    waited_for = WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).values_list("kind", "object_id")
    return len(offer_freed(set(waited_for), now=now))


# --- staff --------------------------------------------------------------------------------------


def remove(entry_id, *, now=None) -> WaitlistEntry:
    """Staff take an entry off the list; its offer, if any, passes to the next."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update().filter(pk=entry_id, status__in=ACTIVE_STATUSES).first()
        )
        if entry is None:
            raise EntryNotFound()
        _close(entry, WaitlistStatus.REMOVED)
    return entry


def offer_now(entry_id, *, now=None) -> WaitlistEntry:
    """Staff offer what is free to this entry, ahead of its turn; ``SoldOut`` when it does not fit."""
    entry = WaitlistEntry.objects.filter(pk=entry_id, status=WaitlistStatus.WAITING).first()
    if entry is None:
        raise EntryNotFound()
    offered = _offer(entry.pk, now=now)
    if offered is None:
        raise SoldOut(_("Not enough is free to offer this entry now."))
    return offered


# --- helpers ------------------------------------------------------------------------------------


def _close(entry, status, *, offer_next=True):
    """End ``entry`` with ``status``, releasing its offer's hold (offered to the next after commit)."""
    if entry.offer_id is not None and entry.status == WaitlistStatus.OFFERED:
        reservations.cancel([entry.offer_id], offer_to_waitlist=offer_next)
    entry.status = status
    entry.save(update_fields=["status", "updated_at"])


def _entry_for(cleaned, **fields) -> WaitlistEntry:
    """An unsaved entry for the line a kind cleaned (``LineKind.validate``)."""
    return WaitlistEntry(
        kind=cleaned.kind,
        object_id=cleaned.object_id,
        start_date=cleaned.start_date,
        end_date=cleaned.end_date,
        quantity=cleaned.quantity,
        guests=cleaned.guests,
        options=dict(cleaned.options),
        **fields,
    )


def _same_wish(queryset, entry):
    return queryset.filter(
        kind=entry.kind, object_id=entry.object_id, start_date=entry.start_date, end_date=entry.end_date
    )


def describe(entries):
    """Set ``name`` and ``details`` (what is waited for, in the active language) on each entry:
    one ``prepare`` per kind, so the queries grow with the kinds, not the entries."""
    by_kind = {}
    for entry in entries:
        entry.line = entry.as_line()
        by_kind.setdefault(entry.kind, []).append(entry)
    for kind, kind_entries in by_kind.items():
        handler = describing_kind(kind)
        batch = handler.prepare([e.line for e in kind_entries]) if kind in WAITLIST_KINDS else None
        for entry in kind_entries:
            entry.name, entry.details = handler.describe_parts(entry.line, batch)
    return entries


def wish_of(data):
    """What ``data`` would wait for, described (``describe``), or None when it names nothing valid."""
    try:
        cleaned = get_line_kind(data.get("kind")).validate(dict(data))
    except LineInvalid:
        return None
    return describe([_entry_for(cleaned)])[0]


def put_in_basket(entry, basket, *, now=None):
    """Add an offer to its visitor's basket (once), where its held units count as theirs."""
    if basket.user_id != entry.user_id:
        raise EntryNotFound()
    same = basket.lines.filter(
        kind=entry.kind, object_id=entry.object_id, start_date=entry.start_date, end_date=entry.end_date
    ).first()
    if same is not None:
        return same
    return basket_add_line(basket, entry.line_data, now=now)
