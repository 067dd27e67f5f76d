"""Pinned products as the reservation core's "live" inventory, and the session price as the
shop's offer (``products.offers``).

A pin's capacity is its session stock while the session runs; once it has ended, what is still
set aside for it (``services.return_unsold`` shrinks that to the units sold), so a payment that
arrives after its hold lapsed is confirmed only when its unit is still covered by the set-aside.
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import ReservationError, SoldOut
from orders.inventory import Inventory
from orders.lines import LineInvalid
from orders.models import ReservationStatus
from orders.reservations import Claim
from orders.selectors import claimed_units
from products.offers import ProductOffer

from .models import PinnedProduct, Status

LIVE = "live"


class SessionNotLive(ReservationError):
    code = "not_live"
    default_message = _("The session price applies only while the session is live.")


class PinInventory(Inventory):
    kind = LIVE
    model = PinnedProduct

    def capacity(self, obj, day):
        if obj.session.status() != Status.ENDED:
            return obj.stock
        aside = obj.set_aside
        if aside is None or aside.status not in (ReservationStatus.HELD, ReservationStatus.CONFIRMED):
            return 0
        return aside.quantity

    def validate(self, obj, claim):
        if claim.start is not None:
            raise SessionNotLive(claim=claim)
        session = obj.session
        if not session.approved or not session.is_live():
            raise SessionNotLive(claim=claim)
        product = obj.product
        if not product.live or not product.producer.is_verified:
            raise SoldOut(_("This product is no longer on sale."), claim=claim)

    def get_objects(self, pks):
        return PinnedProduct.objects.select_related("session", "product__producer", "set_aside").in_bulk(pks)


class SessionPriceOffer(ProductOffer):
    option = "live_pin"

    def clean(self, value, product, *, now=None):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise LineInvalid({self.option: _("This live offer does not exist.")})
        pin = PinnedProduct.objects.select_related("session").filter(pk=value, session__approved=True).first()
        if pin is None or pin.product_id != product.pk:
            raise LineInvalid({self.option: _("This live offer does not exist.")})
        if not pin.session.is_live(now):
            raise LineInvalid({self.option: SessionNotLive.default_message})
        return pin.pk

    def load(self, ids, *, now=None):
        pins = PinnedProduct.objects.select_related("session").in_bulk(ids)
        left = units_left(list(pins.values()), now=now)
        for pin in pins.values():
            pin.units_left = left[pin.pk]
        return pins

    def unit_price_fen(self, offer, product, *, now=None):
        if not offer.session.approved or not offer.session.is_live(now):
            raise SessionNotLive()
        return offer.price_fen

    def check(self, offer, product, quantity, *, now=None):
        self.unit_price_fen(offer, product, now=now)
        if offer.units_left < quantity:
            if offer.units_left <= 0:
                raise SoldOut(gettext("Sold out."))
            raise SoldOut(gettext("Only %(n)d left.") % {"n": offer.units_left})

    def claims(self, offer_id, quantity):
        return [Claim(LIVE, offer_id, quantity)]

    def label(self, offer):
        return gettext("Live price")


def units_left(pins, *, now=None) -> dict:
    """{pin pk: session units not yet claimed} in one query (0 once the session has ended)."""
    now = now or timezone.now()
    claimed = claimed_units(LIVE, sorted(p.pk for p in pins), now=now) if pins else {}
    return {
        pin.pk: max(0, pin.stock - claimed.get(pin.pk, 0)) if pin.session.status(now) != Status.ENDED else 0
        for pin in pins
    }
