"""Domain errors of the reservation core: one per failure a visitor can cause.

Each carries a translatable ``message`` a view can show as is, a stable ``code`` for APIs and
logs, and, where it applies, the ``claim`` that failed.
"""

from django.utils.translation import gettext_lazy as _


class ReservationError(Exception):
    code = "reservation_error"
    default_message = _("This booking could not be made.")

    def __init__(self, message=None, *, claim=None):
        self.message = message if message is not None else self.default_message
        self.claim = claim
        super().__init__(str(self.message))


class InvalidClaim(ReservationError):
    """The request itself is wrong (quantity, unknown object, unknown kind): a 4xx, not a sell-out."""

    code = "invalid_claim"
    default_message = _("This booking request is not valid.")


class SoldOut(ReservationError):
    code = "sold_out"
    default_message = _("Sorry, there is not enough left for this booking.")


class DatesUnavailable(ReservationError):
    code = "dates_unavailable"
    default_message = _("These dates are not available.")


class CalledOff(DatesUnavailable):
    """The organiser cancelled it (a tour slot, an event): nothing more can be booked on it."""

    code = "called_off"
    default_message = _("Sorry, the organiser has cancelled this.")


class HoldExpired(ReservationError):
    code = "hold_expired"
    default_message = _("Your hold on this booking has expired.")


class InventoryBusy(ReservationError):
    code = "inventory_busy"
    default_message = _("This is being booked by someone else right now; please try again.")


class OrderStateError(Exception):
    """A transition of an order or a payment that is not allowed now (``order_state``,
    ``refunds``); ``message`` can be shown as is."""

    code = "order_state"

    def __init__(self, message, *, code=None):
        self.message = message
        if code:
            self.code = code
        super().__init__(str(message))
