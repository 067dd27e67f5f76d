"""Free spaces of the car parks: the one write path (staff's phone page and the counter API both
call it), the counter systems' tokens, and the nearest car park with room.

A count is one conditional UPDATE (``free_spaces = free_spaces + n`` only where the result stays
within 0..total): concurrent updates never lose one another and never leave the range, with no
lock held across a round trip. ``update()`` sends no signal, so a count does not bump the content
version of the whole site; it bumps the "parking" stock tag instead, which clears /now/ and the
API answer (town.page_cache) and nothing else.
"""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tokens import token_digest
from town import geo
from town.idempotency import clean_key
from town.page_cache import bump_stock

from .models import CarPark, ParkingCounter, ParkingCountKey

STOCK_KIND = "parking"
# Not a secret: a visible prefix, so a leaked counter token is recognisable.
TOKEN_PREFIX = "typ_"  # noqa: S105


class ParkingError(Exception):
    """A count refused; ``status`` is the HTTP status the views answer with, ``message`` says why."""

    status = 422
    code = "invalid"

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class UnknownCarPark(ParkingError):
    status = 404
    code = "unknown_car_park"


class CountOutOfRange(ParkingError):
    code = "out_of_range"


class CounterRefused(ParkingError):
    status = 403
    code = "not_this_car_park"


@dataclass(frozen=True)
class Count:
    car_park_id: int
    free: int
    total: int


class BadCountKey(ParkingError):
    code = "idempotency_key_invalid"


class _Repeated(Exception):
    """A count whose key another request stored first (raised to undo this one's update)."""


def set_free(car_park_id, free, *, key=None, now=None):
    """Set the free spaces to ``free`` (a typed count); returns a Count. ``key``: see ``_update``."""
    if not isinstance(free, int) or isinstance(free, bool):
        raise CountOutOfRange(_("The free spaces must be a whole number."))
    if free < 0:
        raise CountOutOfRange(_("Free spaces cannot be below zero (got %(free)s).") % {"free": free})
    return _update(car_park_id, {"free_spaces": free}, {"total_spaces__gte": free}, now, key, free=free)


def change_free(car_park_id, change, *, key=None, now=None):
    """Add ``change`` (+1 a car left, −1 a car came in) to the free spaces; returns a Count.
    ``key``: see ``_update``."""
    if not isinstance(change, int) or isinstance(change, bool):
        raise CountOutOfRange(_("The change must be a whole number."))
    where = {"free_spaces__gte": -change} if change < 0 else {"total_spaces__gte": F("free_spaces") + change}
    return _update(car_park_id, {"free_spaces": F("free_spaces") + change}, where, now, key, change=change)


def _earlier(car_park_id, key):
    earlier = ParkingCountKey.objects.filter(key=key).first()
    if earlier is None:
        return None
    if earlier.car_park_id != car_park_id:
        raise BadCountKey(_("This idempotency key was used for another car park."))
    return Count(car_park_id, earlier.free, earlier.total)


def _update(car_park_id, values, where, now, key, *, free=None, change=None):
    """The count, once per ``key`` (an idempotency key: a staff page's press, a counter's
    Idempotency-Key header): a repeat answers the Count the first one left and changes nothing.
    The key is stored with the count under a unique constraint: of two requests with one key at
    once, the second's insert waits for the first's commit and fails, and its count is undone."""
    try:
        key = clean_key(key)
    except ValueError:
        raise BadCountKey(
            _("The idempotency key must be 1 to 64 printable characters (a UUID, say).")
        ) from None
    if key is not None and (earlier := _earlier(car_park_id, key)) is not None:
        return earlier
    try:
        return _counted(car_park_id, values, where, now, key, free=free, change=change)
    except _Repeated:
        return _earlier(car_park_id, key)


def _counted(car_park_id, values, where, now, key, *, free=None, change=None):
    now = now or timezone.now()
    with transaction.atomic():
        updated = CarPark.objects.filter(pk=car_park_id, **where).update(counted_at=now, **values)
        row = CarPark.objects.filter(pk=car_park_id).values_list("free_spaces", "total_spaces").first()
        if row is None:
            raise UnknownCarPark(_("There is no car park %(id)s.") % {"id": car_park_id})
        current, total = row
        if not updated:
            if free is not None:
                raise CountOutOfRange(
                    _("%(free)s free spaces is more than this car park has (%(total)s).")
                    % {"free": free, "total": total}
                )
            raise CountOutOfRange(
                _(
                    "A change of %(change)+d would leave %(result)s free spaces; "
                    "it must stay between 0 and %(total)s."
                )
                % {"change": change, "result": current + change, "total": total}
            )
        if key is not None:
            try:
                with transaction.atomic():
                    ParkingCountKey.objects.create(
                        key=key, car_park_id=car_park_id, free=current, total=total, created_at=now
                    )
            except IntegrityError:
                raise _Repeated from None
        bump_stock(STOCK_KIND, [car_park_id])
    return Count(car_park_id, current, total)


# --- counter systems --------------------------------------------------------------------------


def issue_counter_token(counter):
    """A new token for ``counter`` (replacing any before it); returns the raw token, which is not
    kept anywhere: show it now or never."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    counter.token_hash = token_digest(raw)
    counter.token_hint = raw[:10]
    return raw


def counter_for_token(raw):
    """The active counter system ``raw`` belongs to, or None. Notes the use (one small UPDATE,
    no signal)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    counter = ParkingCounter.objects.filter(token_hash=token_digest(raw), active=True).first()
    if counter is not None:
        ParkingCounter.objects.filter(pk=counter.pk).update(last_used_at=timezone.now())
    return counter


def check_counter_may_count(counter, car_park_id):
    if not counter.car_parks.filter(pk=car_park_id).exists():
        if not CarPark.objects.filter(pk=car_park_id).exists():
            raise UnknownCarPark(_("There is no car park %(id)s.") % {"id": car_park_id})
        raise CounterRefused(_("This counter is not set up to count car park %(id)s.") % {"id": car_park_id})


# --- reading ----------------------------------------------------------------------------------


def nearest_with_room(car_park, car_parks):
    """The car park of ``car_parks`` with free spaces nearest to ``car_park`` (straight line), with
    ``distance_km`` set; None when none has room or ``car_park`` has no coordinates."""
    if not geo.has_coordinates(car_park):
        return None
    best, best_km = None, None
    for other in car_parks:
        if other.pk == car_park.pk or other.free_spaces <= 0 or not geo.has_coordinates(other):
            continue
        km = geo.haversine_km(car_park.latitude, car_park.longitude, other.latitude, other.longitude)
        if best_km is None or km < best_km:
            best, best_km = other, km
    if best is not None:
        best.distance_km = round(best_km, 1)
    return best
