"""The "product" line kind: produce in the basket.

Data: ``{"kind": "product", "product_id", "quantity", "delivery": "pickup" | "homestay" |
"shipping", "delivery_date" (homestay), "shipping_region" and "shipping_address" (shipping)}``.
The delivery choice is kept in ``options``. Price = unit price × quantity, plus the region's flat
shipping fee once per line. Only live products of verified producers are sold; the product id is
always the default-locale row (the one carrying the stock), an English translation's id is mapped
to it.
"""

from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import DatesUnavailable, ReservationError, SoldOut
from orders.lines import (
    CleanedLine,
    LineInvalid,
    LineKind,
    LinePrice,
    LineSnapshot,
    a_date,
    int_field,
    load_rows,
)
from orders.money import Money
from orders.policies import RefundDecision
from orders.reservations import Claim, local_today
from orders.selectors import claimed_units
from town.translations import content_language, in_language

from . import offers, services
from .inventory import PRODUCT
from .models import LineFulfilment, Product, ProductUnit
from .selectors import canonical_product

MAX_PRODUCT_QUANTITY = 99
DELIVERY_CHOICES = {
    "pickup": _("Pickup at the visitor centre"),
    "homestay": _("Delivery to your homestay"),
    "shipping": _("Shipping"),
}


def delivery_label(code):
    return str(DELIVERY_CHOICES.get(code, code))


def quantity_words(quantity, unit):
    """ "3 jin", "2 boxes" (zh: "3 斤", "2 盒"): never "people"."""
    words = {
        ProductUnit.JIN: lambda n: ngettext("%(n)d jin", "%(n)d jin", n),
        ProductUnit.KG: lambda n: ngettext("%(n)d kg", "%(n)d kg", n),
        ProductUnit.BOX: lambda n: ngettext("%(n)d box", "%(n)d boxes", n),
        ProductUnit.PIECE: lambda n: ngettext("%(n)d piece", "%(n)d pieces", n),
    }.get(unit, lambda n: gettext("× %(n)d"))
    return words(quantity) % {"n": quantity}


def delivery_words(options, deliver_to=""):
    """How the produce reaches the visitor: "delivered to 桃园小筑 · 20 March 2027", "pickup at
    the visitor centre", "shipped to Zhejiang: <address>"."""
    options = options or {}
    delivery = options.get("delivery")
    if delivery == "homestay":
        day = options.get("delivery_date")
        day = date_format(date.fromisoformat(day), "DATE_FORMAT") if day else ""
        if deliver_to:
            text = gettext("delivered to %(homestay)s") % {"homestay": deliver_to}
        else:
            text = gettext("delivered to your homestay")
        return f"{text} · {day}" if day else text
    if delivery == "shipping":
        text = gettext("shipped to %(region)s") % {"region": options.get("shipping_region", "")}
        address = options.get("shipping_address")
        return f"{text}: {address}" if address else text
    if delivery == "pickup":
        return gettext("pickup at the visitor centre")
    return ""


def on_sale(product):
    return product is not None and product.live and product.producer.is_verified


class ProductBatch:
    """The products of some product lines with their producers (two queries); their live claims,
    the shipping rates and the visitor's stays (for homestay deliveries) when asked for."""

    def __init__(self, lines, now=None):
        self.now = now
        self.lines = list(lines)
        self.products = load_rows(
            PRODUCT,
            {line.object_id for line in self.lines},
            Product.objects.select_related("producer", "producer__user"),
        )
        self._names = {}

    def product(self, line, *, live_only=True):
        product = self.products.get(line.object_id)
        return product if not live_only or on_sale(product) else None

    def name(self, line):
        """The product's name in the active language (one query for the batch in a language
        other than the default), or None when it is gone."""
        language = content_language()
        if language not in self._names:
            found = in_language([p for p in self.products.values() if p is not None])
            self._names[language] = {pk: product.name for pk, product in found.items()}
        product = self.products.get(line.object_id)
        return self._names[language].get(product.pk) if product is not None else None

    @cached_property
    def claimed(self):
        ids = sorted({p.pk for p in self.products.values() if p is not None})
        return claimed_units(PRODUCT, ids, now=self.now) if ids else {}

    @cached_property
    def offers(self):
        """{(option, id): offer row} for the lines sold under an offer (a live session's price)."""
        wanted = {}
        for line in self.lines:
            offer, offer_id = offers.offer_of(line.options)
            if offer is not None:
                wanted.setdefault(offer, set()).add(offer_id)
        found = {}
        for offer, ids in wanted.items():
            for offer_id, row in offer.load(ids, now=self.now).items():
                found[(offer.option, offer_id)] = row
        return found

    def offer(self, line):
        """(offer, its row) for a line sold under an offer, else (None, None); a row that is gone
        is None."""
        offer, offer_id = offers.offer_of(line.options)
        if offer is None:
            return None, None
        return offer, self.offers.get((offer.option, offer_id))

    @cached_property
    def rates(self):
        regions = {
            (line.options or {}).get("shipping_region")
            for line in self.lines
            if (line.options or {}).get("delivery") == "shipping"
        }
        return services.shipping_rates([r for r in regions if isinstance(r, (int, str))])

    def rate(self, region):
        return self.rates.get(region) if isinstance(region, (int, str)) else None

    @cached_property
    def stays(self):
        """The visitor's ``StaysInTown`` on the homestay delivery days of the lines (their basket's
        owner and basket: the lines of one prepare are one basket's, or none's)."""
        days = [
            date.fromisoformat(line.options["delivery_date"])
            for line in self.lines
            if (line.options or {}).get("delivery") == "homestay" and line.options.get("delivery_date")
        ]
        line = self.lines[0] if self.lines else None
        basket = getattr(line, "basket", None) if getattr(line, "basket_id", None) else None
        user = basket.user if basket is not None and basket.user_id else None
        return services.StaysInTown(user, days, basket=basket) if days else None


class ProductLine(LineKind):
    kind = PRODUCT
    input_fields = {
        "product_id": int,
        "quantity": int,
        "delivery": str,
        "delivery_date": str,
        "shipping_region": str,
        "shipping_address": str,
    }

    def prepare(self, lines, *, now=None):
        return ProductBatch(lines, now)

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
        offer, value = offers.posted_offer(data)
        if offer is not None and product is not None:
            try:
                options[offer.option] = offer.clean(value, product)
            except LineInvalid as exc:
                errors.update(exc.errors)
        if errors:
            raise LineInvalid(errors)
        return CleanedLine(kind=self.kind, object_id=product.pk, quantity=quantity, options=options)

    # --- the rest works on a (basket or order) line with ``object_id``, ``quantity``, ``options``

    def _check_delivery(self, line, product, batch):
        """The stay a homestay delivery goes to (None for other ways); raises DeliveryUnavailable."""
        options = line.options or {}
        delivery = options.get("delivery")
        if delivery not in product.delivery_options:
            raise services.DeliveryUnavailable(_("This product cannot be delivered that way any more."))
        if delivery == "homestay":
            if not options.get("delivery_date"):
                raise services.DeliveryUnavailable()
            day = date.fromisoformat(options["delivery_date"])
            return services.check_homestay_delivery(None, day, stays=batch.stays)
        return None

    def price(self, line, batch=None):
        batch = self._batch(line, batch)
        product = batch.product(line)
        if product is None:
            raise ReservationError(_("This product is no longer on sale."))
        stay = self._check_delivery(line, product, batch)
        unit_fen = product.price_fen
        offer, row = batch.offer(line)
        if offer is not None:
            if row is None:
                raise ReservationError(_("This offer is over."))
            unit_fen = offer.unit_price_fen(row, product, now=batch.now)
        unit = Money(unit_fen)
        total = unit * line.quantity
        breakdown = [{"unit_price_fen": unit_fen, "quantity": line.quantity, "unit": product.unit}]
        if offer is not None:
            breakdown[0].update({"offer": offer.label(row), "shop_price_fen": product.price_fen})
        options = line.options or {}
        if options.get("delivery") == "shipping":
            rate = batch.rate(options.get("shipping_region"))
            if rate is None:
                raise services.DeliveryUnavailable(_("We no longer ship to this region."))
            total = total + Money(rate.fee_fen)
            breakdown.append({"shipping_region": rate.region, "shipping_fen": rate.fee_fen})
        if stay:
            breakdown.append({"deliver_to": stay, "delivery_date": options.get("delivery_date")})
        return LinePrice(total=total, unit=unit, breakdown=breakdown)

    def claims(self, line):
        offer, offer_id = offers.offer_of(line.options)
        if offer is not None:
            # Out of the units the offer set aside, not the shop's own.
            return offer.claims(offer_id, line.quantity)
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe_parts(self, line, batch=None):
        batch = self._batch(line, batch)
        product = batch.product(line, live_only=False)
        if product is None:
            return gettext("A product no longer offered"), ""
        deliver_to = ""
        if (line.options or {}).get("delivery") == "homestay" and batch.stays is not None:
            day = (line.options or {}).get("delivery_date")
            deliver_to = batch.stays.covering(date.fromisoformat(day)) if day else ""
        parts = [quantity_words(line.quantity, product.unit), delivery_words(line.options, deliver_to or "")]
        offer, row = batch.offer(line)
        if offer is not None and row is not None:
            parts.append(offer.label(row))
        return batch.name(line), " · ".join(part for part in parts if part)

    def note_label(self, line=None):
        return gettext("Note for the farmer")

    def heading(self, order_line):
        # The item kept is the producer's name, for staff; the visitor bought the product.
        return order_line.title_in()

    def summary(self, order_line):
        breakdown = order_line.breakdown or []
        unit = breakdown[0].get("unit") if breakdown and isinstance(breakdown[0], dict) else None
        parts = [part for part in breakdown if isinstance(part, dict)]
        deliver_to = next((part["deliver_to"] for part in parts if part.get("deliver_to")), "")
        parts = [quantity_words(order_line.quantity, unit), delivery_words(order_line.options, deliver_to)]
        # Sold at a live session's price: the label kept when sold ("直播价").
        parts.append(breakdown[0].get("offer", "") if breakdown and isinstance(breakdown[0], dict) else "")
        return " · ".join(part for part in parts if part)

    def cancellation_terms(self, order_lines, *, now=None):
        """Produce comes back in full until the farmer marks it packed (``LineFulfilment``), then
        not at all: it is on its way. One query for all the lines."""
        packed = set(
            LineFulfilment.objects.filter(order_line_id__in=[line.pk for line in order_lines]).values_list(
                "order_line_id", flat=True
            )
        )
        refused = RefundDecision(
            0, False, gettext("The farmer has already packed it: it can no longer be cancelled.")
        )
        full = RefundDecision(100, True, gettext("Full refund: the farmer has not packed it yet."))
        return {line.pk: refused if line.pk in packed else full for line in order_lines}

    def check(self, line, batch=None, *, now=None):
        batch = self._batch(line, batch, now)
        product = batch.product(line)
        if product is None:
            raise ReservationError(gettext("This product is no longer on sale."))
        self._check_delivery(line, product, batch)
        options = line.options or {}
        if options.get("delivery_date") and options["delivery_date"] < local_today(now).isoformat():
            raise DatesUnavailable(gettext("The delivery day has passed."))
        offer, row = batch.offer(line)
        if offer is not None:
            if row is None:
                raise ReservationError(gettext("This offer is over."))
            offer.check(row, product, line.quantity, now=now or batch.now)
            return
        left = max(0, product.stock - batch.claimed.get(product.pk, 0))
        if left < line.quantity:
            if left <= 0:
                raise SoldOut(gettext("Sold out."))
            raise SoldOut(gettext("Only %(n)d left.") % {"n": left})

    def seller(self, snapshot):
        # Owed the money: the farmer of the product, whom the snapshot already names.
        return snapshot.provider_user

    def snapshot(self, line, batch=None):
        product = self._batch(line, batch).product(line, live_only=False)
        if product is None:
            raise ReservationError(_("This product is no longer on sale."))
        producer = product.producer
        options = line.options or {}
        starts_at = None
        if options.get("delivery_date"):
            day = datetime.fromisoformat(options["delivery_date"]).date()
            starts_at = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        return LineSnapshot(
            title=product.name,
            item_name=producer.display_name,
            translated_title=self._batch(line, batch).name(line),
            starts_at=starts_at,
            provider_user=producer.user,
            village_id=producer.village_id or product.origin_village_id,
            payment_ways=None,
        )
