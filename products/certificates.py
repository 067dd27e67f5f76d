"""The daily sweep of certificates: a certificate's badge and its search facet hold from
``valid_from`` to ``valid_until`` by the town's calendar, but a product's search entry is written
when the product (or a certificate) is saved, so a certificate ending at midnight would stay a
facet until something else re-indexed the product. Each run re-indexes the products whose
certificates expired (or began) since the last run, on whichever search backend is on, and
records the day it covered (``CertificationSweep``), so a missed night is caught up and a second
run the same day does nothing."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from orders.reservations import local_today
from search import indexing
from search.elastic import signals as elastic_signals

from .models import Certification, CertificationSweep, Product

# The first run (no sweep recorded) looks back this far: certificates that ended before were
# already gone from the products' entries the last time those were saved or rebuilt.
FIRST_RUN_DAYS = 7


@dataclass(frozen=True)
class SweepResult:
    since: datetime.date
    through: datetime.date
    certificates: int
    products: int


def changed_certificates(since, today):
    """Certificates whose last valid day is in [since, today − 1] (the run on ``since`` judged
    them valid, today they are not), or whose first valid day is in (since, today] (they began)."""
    return Certification.objects.filter(
        Q(valid_until__gte=since, valid_until__lt=today) | Q(valid_from__gt=since, valid_from__lte=today)
    )


def affected_products(certificates):
    """The products those certificates cover: their own, and all of a producer's for a
    producer-wide one; one per translation key (re-indexing one re-indexes its translations)."""
    rows = list(certificates.values_list("producer_id", "product_id"))
    if not rows:
        return []
    whole = {producer for producer, product in rows if product is None}
    single = {product for _producer, product in rows if product is not None}
    products = Product.objects.filter(Q(producer_id__in=whole) | Q(pk__in=single)).order_by("pk")
    seen, result = set(), []
    for product in products:
        if product.translation_key not in seen:
            seen.add(product.translation_key)
            result.append(product)
    return result


def reindex_changed_certificates(*, today=None) -> SweepResult:
    """Re-index the products whose certificates expired or began since the last run."""
    today = today or local_today()
    last = CertificationSweep.objects.order_by("-through").first()
    since = last.through if last else today - datetime.timedelta(days=FIRST_RUN_DAYS)
    if last is not None and last.through >= today:
        return SweepResult(since=since, through=today, certificates=0, products=0)
    certificates = changed_certificates(since, today)
    products = affected_products(certificates)
    with transaction.atomic():
        for product in products:
            indexing.update_object(product)  # the database backend (nothing when Elasticsearch is on)
            elastic_signals.schedule_object(product, with_translations=True)  # after the commit
        CertificationSweep.objects.create(through=today, products=len(products))
    return SweepResult(since=since, through=today, certificates=certificates.count(), products=len(products))
