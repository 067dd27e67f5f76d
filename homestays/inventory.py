"""Room types as the reservation core's "stay" inventory: one unit per identical room per night."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, InvalidClaim
from orders.inventory import Inventory

from . import pricing
from .models import RateRuleKind, RoomRateRule, RoomType

# The name stays are stored under (lines, order lines, reservations), the same as
# orders.models.ReservationKind.STAY, which other apps filter by.
STAY = "stay"


def rules_for(room_type_ids, start, end):
    """Every rule touching the nights [start, end) of these room types, in one query."""
    return list(
        RoomRateRule.objects.filter(room_type_id__in=room_type_ids, start_date__lt=end, end_date__gte=start)
    )


class RoomTypeInventory(Inventory):
    kind = STAY
    model = RoomType
    per_night = True

    def capacity(self, obj, day):
        return self.capacities(obj, [day])[day]

    def capacities(self, obj, days):
        if not days:
            return {}
        rules = rules_for([obj.pk], min(days), max(days) + timedelta(days=1))
        return {day: 0 if pricing.is_closed(obj, day, rules) else obj.units for day in days}

    def validate(self, obj, claim):
        if claim.start is None or claim.end is None:
            raise InvalidClaim(_("A stay needs check-in and check-out dates."), claim=claim)
        pricing.check_stay_dates(claim.start, claim.end)
        rules = rules_for([obj.pk], claim.start, claim.end)
        minimum = pricing.min_nights_for(obj, claim.start, claim.end, rules)
        if (claim.end - claim.start).days < minimum:
            raise DatesUnavailable(
                _("This room needs a stay of at least %(n)d nights.") % {"n": minimum}, claim=claim
            )

    def nights_closed(self, obj, start, end):
        nights = [start + timedelta(days=n) for n in range((end - start).days)]
        rules = rules_for([obj.pk], start, end)
        return all(pricing.is_closed(obj, night, rules) for night in nights)

    def close_nights(self, obj, start, end, *, reason, by_user, call_off=None):
        # The homestay's own closure, which availability, the calendar and the host's list read,
        # held by the call-off so the host cannot reopen it; none when earlier call-offs' closures
        # already cover these nights (a second call-off of the same nights changes nothing).
        nights = [start + timedelta(days=n) for n in range((end - start).days)]
        held = [rule for rule in rules_for([obj.pk], start, end) if rule.call_off_id is not None]
        if all(pricing.is_closed(obj, night, held) for night in nights):
            return False
        RoomRateRule.objects.create(
            room_type=obj,
            kind=RateRuleKind.CLOSED,
            start_date=start,
            end_date=end - timedelta(days=1),
            note=reason[:200],
            call_off=call_off,
        )
        return True

    def providers(self, object_ids):
        """{host: [their room types]} for the room types ``object_ids``: the hosts to tell."""
        by_host = {}
        for room in (
            RoomType.objects.filter(pk__in=object_ids)
            .select_related("page__host")
            .order_by("page_id", "sort_order", "pk")
        ):
            if room.page.host is not None:
                by_host.setdefault(room.page.host, []).append(room)
        return by_host
