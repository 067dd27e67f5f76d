"""Tour slots as the reservation core's "tour" inventory: one unit per seat (camping: per pitch)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, InvalidClaim
from orders.inventory import Inventory, canonical_ids

from .models import TourSlot, TourSlotStatus

# The name tours are stored under (lines, order lines, reservations), the same as
# orders.models.ReservationKind.TOUR, which other apps filter by.
TOUR = "tour"


class TourSlotInventory(Inventory):
    kind = TOUR
    model = TourSlot
    per_night = False

    def capacity(self, obj, day=None):
        return obj.effective_capacity

    def is_called_off(self, obj):
        return obj.status == TourSlotStatus.CANCELLED

    def call_off(self, obj, *, reason, by_user):
        obj.status = TourSlotStatus.CANCELLED
        obj.save(update_fields=["status"])

    def validate(self, obj, claim):
        if obj.starts_at <= timezone.now():
            raise DatesUnavailable(
                _("This tour has already started; please choose a later time."), claim=claim
            )
        if not obj.experience.live:
            raise InvalidClaim(_("This experience can no longer be booked."), claim=claim)

    def canonical_ids(self, pks):
        # Slots belong to the default-locale experience (a translation shows its original's); a slot
        # made on a translation is the original's departure at the same time, if there is one.
        return canonical_ids(TourSlot, pks, via="experience", same=("starts_at",))

    def get_objects(self, pks):
        return TourSlot.objects.select_related("experience").in_bulk(pks)
