"""Products as the reservation core's "product" inventory: one unit is one unit of sale (a jin,
a box, a piece) of one product.

Stock rule: ``Product.stock`` is the total the farmer has put on sale, and it is never decremented
by a sale. Capacity is ``stock`` and the core subtracts the live claims (held or confirmed
reservations) itself, so what is left is ``stock - live claims`` (``selectors.units_left``); a
cancelled or lapsed claim gives its units back on its own, and the farmer restocks by raising
``stock``. Nothing is counted twice because the only write on a sale is the reservation row.
"""

from django.utils.translation import gettext_lazy as _

from orders.exceptions import InvalidClaim, SoldOut
from orders.inventory import Inventory

from .models import ProducerStatus, Product

# The name produce is stored under (lines, order lines, reservations), the same as
# orders.models.ReservationKind.PRODUCT, which other apps filter by.
PRODUCT = "product"


class ProductInventory(Inventory):
    kind = PRODUCT
    model = Product
    per_night = False

    def capacity(self, obj, day):
        return obj.stock

    def validate(self, obj, claim):
        if claim.start is not None:
            raise InvalidClaim(_("Produce is not booked by dates."), claim=claim)
        if not obj.live:
            raise SoldOut(_("This product is no longer on sale."), claim=claim)
        # The producer is not locked: a reject racing a sale at worst sells one last order.
        if not Product.objects.filter(pk=obj.pk, producer__status=ProducerStatus.VERIFIED).exists():
            raise SoldOut(_("This product is no longer on sale."), claim=claim)
