"""Timed entry as three inventories of the reservation core, claimed together by an entry line:

* ``entry``: the window (its cap per window);
* ``entry_day``: the day (its cap per day, and "full" on site stops the day's new entries);
* ``entry_id``: one document's pass for the day (capacity one: one entry per ID per spot per day).

The core locks them in kind-name order, then pk order, so two bookings never deadlock; the
refusals here are checked under those locks and say which cap was reached.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, SoldOut
from orders.inventory import Inventory
from orders.selectors import claimed_units

from .models import EntryDay, EntryPass, EntryWindow, SpotCrowd

ENTRY = "entry"
ENTRY_DAY = "entry_day"
ENTRY_ID = "entry_id"


WINDOW_FULL = _("This entry window is full; please choose another time.")
WINDOW_LEFT = _("Only %(n)d places are left in this window.")
DAY_FULL = _("This day is fully booked; please choose another day.")
DAY_LEFT = _("Only %(n)d places are left on this day.")


def refuse_beyond(left, quantity, full_message, left_message, *, claim=None):
    """``SoldOut`` saying how many are left (or that none are) when ``quantity`` does not fit."""
    if quantity > left:
        raise SoldOut(full_message if left <= 0 else left_message % {"n": left}, claim=claim)


def spot_is_full(spot_id) -> bool:
    crowd = SpotCrowd.objects.filter(spot_id=spot_id).first()
    return crowd is not None and crowd.level == "full"


class EntryWindowInventory(Inventory):
    kind = ENTRY
    model = EntryWindow

    def capacity(self, obj, day=None):
        return obj.capacity

    def validate(self, obj, claim):
        if obj.ends_at <= timezone.now():
            raise DatesUnavailable(_("This entry window is over; please choose a later one."), claim=claim)
        if not obj.rule.active:
            raise DatesUnavailable(_("This spot is not taking reservations now."), claim=claim)
        left = obj.capacity - claimed_units(ENTRY, [obj.pk])[obj.pk]
        refuse_beyond(left, claim.quantity, WINDOW_FULL, WINDOW_LEFT, claim=claim)

    def get_objects(self, pks):
        return EntryWindow.objects.select_related("rule").in_bulk(pks)


class EntryDayInventory(Inventory):
    kind = ENTRY_DAY
    model = EntryDay

    def capacity(self, obj, day=None):
        return obj.capacity

    def validate(self, obj, claim):
        left = obj.capacity - claimed_units(ENTRY_DAY, [obj.pk])[obj.pk]
        refuse_beyond(left, claim.quantity, DAY_FULL, DAY_LEFT, claim=claim)
        if obj.date == timezone.localdate() and spot_is_full(obj.rule.spot_id):
            raise SoldOut(_("The spot is full right now: no more entries for today."), claim=claim)

    def get_objects(self, pks):
        return EntryDay.objects.select_related("rule").in_bulk(pks)


class EntryPassInventory(Inventory):
    kind = ENTRY_ID
    model = EntryPass

    def capacity(self, obj, day=None):
        return 1

    def validate(self, obj, claim):
        if claimed_units(ENTRY_ID, [obj.pk])[obj.pk] + claim.quantity > 1:
            raise SoldOut(
                _("This ID number already has an entry to this spot on that day (one per person per day)."),
                claim=claim,
            )
