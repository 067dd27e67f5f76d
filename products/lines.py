"""The "product" line kind: produce in the basket.

Data: ``{"kind": "product", "product_id", "quantity", "delivery": "pickup" | "homestay" |
"shipping", "delivery_date" (homestay), "shipping_region" and "shipping_address" (shipping)}``.
The delivery choice is kept in ``options``. Price = unit price × quantity, plus the region's flat
shipping fee once per line. Only live products of verified producers are sold; the product id is
always the default-locale row (the one carrying the stock), an English translation's id is mapped
to it.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import ReservationError
from orders.lines import (
    CleanedLine,
    LineInvalid,
    LineKind,
    LinePrice,
    LineSnapshot,
    a_date,
    int_field,
)
from orders.models import ReservationKind
from orders.money import Money
from orders.services import Claim, local_today

from . import services
from .models import ProductUnit
from .selectors import canonical_product, units_left

MAX_PRODUCT_QUANTITY = 99
DELIVERY_CHOICES = {
    "pickup": _("Pickup at the visitor centre"),
    "homestay": _("Delivery to your homestay"),
    "shipping": _("Shipping"),
}


def delivery_label(code):
    return str(DELIVERY_CHOICES.get(code, code))


class ProductLine(LineKind):
    kind = ReservationKind.PRODUCT

    def validate(self, data):
        errors = {}
        product_id = int_field(
            errors, data, "product_id", maximum=2**53, message=_("Please choose a product.")
        )
        quantity = int_field(errors, data, "quantity", maximum=MAX_PRODUCT_QUANTITY, default=1)
        product = canonical_product(product_id, live_only=True) if product_id else None
        if product_id and product is None:
            errors["product_id"] = _("This product is not on sale.")
        delivery = data.get("delivery") if isinstance(data.get("delivery"), str) else None
        options = {}
        if delivery not in DELIVERY_CHOICES:
            errors["delivery"] = _("Please choose how you want to get it: pickup, homestay or shipping.")
        elif product is not None and delivery not in product.delivery_options:
            errors["delivery"] = _("This product cannot be delivered that way.")
        else:
            options["delivery"] = delivery
        if delivery == "homestay":
            try:
                day = a_date(data, "delivery_date")
            except LineInvalid as exc:
                errors.update(exc.errors)
            else:
                today = local_today()
                if day < today:
                    errors["delivery_date"] = _("The delivery day cannot be in the past.")
                elif day > services.latest_delivery_date(today):
                    errors["delivery_date"] = _("Please choose a delivery day within the next six months.")
                else:
                    options["delivery_date"] = day.isoformat()
        elif delivery == "shipping":
            rate = services.shipping_rate(data.get("shipping_region"))
            if rate is None:
                errors["shipping_region"] = _("Please choose one of the regions we ship to.")
            else:
                options["shipping_region"] = rate.region
            address = data.get("shipping_address") or data.get("note") or ""
            address = address.strip() if isinstance(address, str) else ""
            if not address:
                errors["shipping_address"] = _("Please give the address to ship to.")
            elif len(address) > 300:
                errors["shipping_address"] = _("Please keep the address under 300 characters.")
            else:
                options["shipping_address"] = address
        if errors:
            raise LineInvalid(errors)
        return CleanedLine(kind=self.kind, object_id=product.pk, quantity=quantity, options=options)

    # --- the rest works on a (basket or order) line with ``object_id``, ``quantity``, ``options``

    def _product(self, line):
        return canonical_product(line.object_id, live_only=True)

    def _delivery_stay(self, line):
        """The stay a homestay delivery goes to; raises DeliveryUnavailable without one."""
        from datetime import date

        options = line.options or {}
        day = date.fromisoformat(options["delivery_date"])
        basket = getattr(line, "basket", None) if getattr(line, "basket_id", None) else None
        user = basket.user if basket is not None and basket.user_id else None
        return services.check_homestay_delivery(user, day, basket=basket)

    def _check_delivery(self, line, product):
        options = line.options or {}
        delivery = options.get("delivery")
        if delivery not in product.delivery_options:
            raise services.DeliveryUnavailable(_("This product cannot be delivered that way any more."))
        if delivery == "homestay":
            if not options.get("delivery_date"):
                raise services.DeliveryUnavailable()
            return self._delivery_stay(line)
        return None

    def price(self, line):
        product = self._product(line)
        if product is None:
            raise ReservationError(_("This product is no longer on sale."))
        stay = self._check_delivery(line, product)
        unit = Money(product.price_fen)
        total = unit * line.quantity
        breakdown = [{"unit_price_fen": product.price_fen, "quantity": line.quantity, "unit": product.unit}]
        options = line.options or {}
        if options.get("delivery") == "shipping":
            rate = services.shipping_rate(options.get("shipping_region"))
            if rate is None:
                raise services.DeliveryUnavailable(_("We no longer ship to this region."))
            total = total + Money(rate.fee_fen)
            breakdown.append({"shipping_region": rate.region, "shipping_fen": rate.fee_fen})
        if stay:
            breakdown.append({"deliver_to": stay, "delivery_date": options.get("delivery_date")})
        return LinePrice(total=total, unit=unit, breakdown=breakdown)

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe(self, line):
        product = canonical_product(line.object_id)
        name = product.name if product else gettext("A product no longer offered")
        unit = ProductUnit(product.unit).label if product and product.unit in ProductUnit.values else ""
        options = line.options or {}
        text = gettext("%(product)s × %(quantity)d %(unit)s, %(delivery)s") % {
            "product": name,
            "quantity": line.quantity,
            "unit": unit,
            "delivery": delivery_label(options.get("delivery")),
        }
        if options.get("delivery_date"):
            text += gettext(" on %(day)s") % {"day": options["delivery_date"]}
        if options.get("shipping_region"):
            text += gettext(" to %(region)s") % {"region": options["shipping_region"]}
        return text

    def availability(self, line, *, now=None):
        product = self._product(line)
        if product is None:
            return False, gettext("This product is no longer on sale.")
        try:
            self._check_delivery(line, product)
        except ReservationError as exc:
            return False, str(exc.message)
        options = line.options or {}
        if options.get("delivery_date") and options["delivery_date"] < local_today(now).isoformat():
            return False, gettext("The delivery day has passed.")
        left = units_left(product, now=now)
        if left < line.quantity:
            if left <= 0:
                return False, gettext("Sold out.")
            return False, gettext("Only %(n)d left.") % {"n": left}
        return True, ""

    def snapshot(self, line):
        from datetime import datetime, time
        from zoneinfo import ZoneInfo

        from django.conf import settings

        product = canonical_product(line.object_id)
        producer = product.producer
        options = line.options or {}
        starts_at = None
        if options.get("delivery_date"):
            day = datetime.fromisoformat(options["delivery_date"]).date()
            starts_at = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        return LineSnapshot(
            title=product.name,
            item_name=producer.display_name,
            starts_at=starts_at,
            provider_user=producer.user,
            village_id=producer.village_id or product.origin_village_id,
            payment_ways=None,
        )
