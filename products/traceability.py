"""Traceable produce: a product's batches (what the QR code on a package opens) and the
certificates its producer holds. Writes check everything before storing anything; reads give
the product page its latest batch and the badges of the certificates valid today."""

import datetime
import io
from dataclasses import dataclass

import qrcode
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from orders.qr import qr_svg
from orders.reservations import local_today

from .models import Batch, Certification, CertificationKind, Product


class TraceabilityError(Exception):
    def __init__(self, errors):
        self.errors = errors  # {field or None: message}
        super().__init__(str(errors))


def create_batch(
    product: Product, *, harvested_on, quantity, unit, village=None, plot="", notes="", today=None
):
    """A new batch of ``product``; refuses a harvest date after today (in the town)."""
    today = today or local_today()
    if harvested_on > today:
        raise TraceabilityError({"harvested_on": _("The harvest date cannot be in the future.")})
    if quantity is None or quantity <= 0:
        raise TraceabilityError({"quantity": _("Give a quantity above zero.")})
    batch = Batch(
        product=product,
        harvested_on=harvested_on,
        quantity=quantity,
        unit=unit,
        village=village,
        plot=plot.strip(),
        notes=notes.strip(),
    )
    batch.full_clean()
    batch.save()
    return batch


def check_certification(*, kind, name="", valid_from, valid_until):
    errors = {}
    if valid_until < valid_from:
        errors["valid_until"] = _("The end of validity cannot be before its start.")
    if kind == CertificationKind.OTHER and not (name or "").strip():
        errors["name"] = _("Name the certificate.")
    if errors:
        raise TraceabilityError(errors)


def create_certification(
    producer,
    *,
    product=None,
    kind,
    name="",
    number,
    issuer,
    valid_from,
    valid_until,
    checked_image=None,
    user=None,
):
    """A certificate of ``producer`` (for ``product``, one of theirs, or all of them); its image,
    already checked by ``products.uploads``, is stored as a Wagtail image in the same block."""
    check_certification(kind=kind, name=name, valid_from=valid_from, valid_until=valid_until)
    if product is not None and product.producer_id != producer.pk:
        raise TraceabilityError({"product": _("The product is not this producer's.")})
    # Uploads import the selectors, which import this module.
    from .uploads import PhotoBatch

    with PhotoBatch(user) as photos, transaction.atomic():
        image = None
        if checked_image is not None:
            image = photos.store(checked_image, title=f"{number} {issuer}", renditions=None)
        certification = Certification(
            producer=producer,
            product=product,
            kind=kind,
            name=(name or "").strip(),
            number=number.strip(),
            issuer=issuer.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            image=image,
        )
        try:
            certification.full_clean()
        except ValidationError as exc:
            raise TraceabilityError(exc.message_dict) from None
        certification.save()
    return certification


# --- reads ------------------------------------------------------------------------------------


LATEST_BATCH_FIELDS = {
    "latest_batch_code": "code",
    "latest_batch_harvested_on": "harvested_on",
    "latest_batch_plot": "plot",
    "latest_batch_village_key": "village__translation_key",
    "latest_batch_village_name": "village__name",
}


STANDARD_KINDS = [kind for kind in CertificationKind if kind != CertificationKind.OTHER]
# The annotations ``with_trace`` adds.
TRACE_FIELDS = [
    *LATEST_BATCH_FIELDS,
    *(f"certified_{kind.value}" for kind in STANDARD_KINDS),
    "certified_other",
]


def with_trace(products, *, now=None):
    """``products`` annotated, in the same query (subqueries), with their latest batch's code,
    date, plot and village, and which kinds of certificate valid today (at ``now``) cover them (an
    ``Exists`` per kind; of the "other" kind, the first one's name): the product page shows them
    without a query of its own (``latest_batch_of``, ``certification_badges``)."""
    today = local_today(now)
    latest = Batch.objects.filter(product_id=OuterRef("pk")).order_by("-harvested_on", "-pk")
    valid = Certification.objects.filter(
        Q(product_id=OuterRef("pk")) | Q(product__isnull=True),
        producer_id=OuterRef("producer_id"),
        valid_from__lte=today,
        valid_until__gte=today,
    )
    return products.annotate(
        **{name: Subquery(latest.values(field)[:1]) for name, field in LATEST_BATCH_FIELDS.items()},
        **{f"certified_{kind.value}": Exists(valid.filter(kind=kind)) for kind in STANDARD_KINDS},
        certified_other=Subquery(
            valid.filter(kind=CertificationKind.OTHER).order_by("pk").values("name")[:1]
        ),
    )


@dataclass
class Badge:
    kind: str
    label: str


def certification_badges(product):
    """The badges of the certificates valid today, from ``with_trace``'s annotations."""
    badges = [
        Badge(kind.value, kind.label)
        for kind in STANDARD_KINDS
        if getattr(product, f"certified_{kind.value}", False)
    ]
    other = getattr(product, "certified_other", None)
    if other:
        badges.append(Badge(CertificationKind.OTHER.value, other))
    return badges


@dataclass
class LatestBatch:
    code: str
    harvested_on: datetime.date
    plot: str
    village: str


def latest_batch_of(product, village_names=None):
    """The latest batch read from ``with_latest_batch``'s annotations (None without a batch);
    the village's name in the page's language from ``village_names`` (translation key → name)."""
    code = getattr(product, "latest_batch_code", None)
    if not code:
        return None
    village = product.latest_batch_village_name or ""
    if village and village_names:
        village = village_names.get(product.latest_batch_village_key, village)
    return LatestBatch(code, product.latest_batch_harvested_on, product.latest_batch_plot, village)


def latest_batch(product):
    return Batch.objects.filter(product_id=product.pk).select_related("village").first()


def valid_certifications(product, *, today=None):
    """The certificates covering ``product`` valid today: an expired one shows no badge."""
    today = today or local_today()
    return list(Certification.objects.for_product(product).valid_on(today).order_by("kind", "pk"))


def batch_by_code(code):
    """A batch of a live product by its code (any case), with what its page shows; or None."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return (
        Batch.objects.filter(code=code, product__live=True, product__producer__status="verified")
        .select_related("product", "product__producer", "product__producer__village", "village")
        .first()
    )


def batch_url(batch, shop=None, request=None):
    """The batch page's address under the shop (absolute when ``request`` or the site allow)."""
    from .selectors import shop_page

    shop = shop or shop_page()
    if shop is None:
        return ""
    base = shop.get_full_url(request) or shop.get_url(request) or ""
    return f"{base}batch/{batch.code}/"


def batch_qr_svg(batch, url):
    return qr_svg(url)


def batch_qr_png(batch, url, box_size=10):
    buffer = io.BytesIO()
    qrcode.make(url, box_size=box_size, border=4).save(buffer, format="PNG")
    return buffer.getvalue()
