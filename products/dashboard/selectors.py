"""Read paths of the farmer dashboard. Every query is scoped to one producer: a farmer never
reads another farmer's products or order lines, whatever id is in the address."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Locale, TaskState, WorkflowState

from orders.lines import get_line_kind
from orders.models import SOLD_STATUSES, OrderLine, ReservationKind
from orders.selectors import claimed_units

from ..models import Product, ProductPhoto

THUMBNAIL = "fill-160x160|format-webp"
# Orders whose produce the farmer must hand over: the visitor confirmed (pays on site) or paid.


class ReviewStatus:
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    LIVE = "live"
    LIVE_WITH_CHANGES = "live_changes"


REVIEW_LABELS = {
    ReviewStatus.DRAFT: _("Draft"),
    ReviewStatus.IN_REVIEW: _("In review"),
    ReviewStatus.CHANGES_REQUESTED: _("Changes requested"),
    ReviewStatus.LIVE: _("On sale"),
    ReviewStatus.LIVE_WITH_CHANGES: _("On sale, changes not yet submitted"),
}


@dataclass
class ProductRow:
    product: Product
    status: str
    comment: str
    thumbnail: object  # a wagtail Image or None
    # Units left to sell: the stock less the live claims (what the farmer sees and sets).
    remaining: int = 0

    @property
    def status_label(self):
        return REVIEW_LABELS[self.status]

    @property
    def can_edit(self):
        return self.status != ReviewStatus.IN_REVIEW

    @property
    def can_submit(self):
        return self.status in (
            ReviewStatus.DRAFT,
            ReviewStatus.CHANGES_REQUESTED,
            ReviewStatus.LIVE_WITH_CHANGES,
        )


def my_products(producer):
    """The producer's products (default-locale rows, the ones they edit), newest first."""
    return Product.objects.filter(producer=producer, locale=Locale.get_default())


def my_product(producer, pk):
    """One of the producer's products, or None (another farmer's product is simply not found)."""
    return my_products(producer).filter(pk=pk).first()


def _review_states(products):
    """Active workflow states by product pk, and the moderator's comment for the rejected ones.

    Two queries for any number of products (Wagtail's ``current_workflow_state`` would be one
    per product)."""
    if not products:
        return {}, {}
    states = {
        int(state.object_id): state
        for state in WorkflowState.objects.active().filter(
            base_content_type=Product.get_base_content_type(),
            object_id__in=[str(p.pk) for p in products],
        )
    }
    needs_changes = [s.pk for s in states.values() if s.status == WorkflowState.STATUS_NEEDS_CHANGES]
    comments = {}
    if needs_changes:
        for workflow_state_id, comment in (
            TaskState.objects.filter(workflow_state_id__in=needs_changes, status=TaskState.STATUS_REJECTED)
            .order_by("finished_at", "pk")
            .values_list("workflow_state_id", "comment")
        ):
            comments[workflow_state_id] = comment
    by_product = {pk: comments.get(state.pk, "") for pk, state in states.items()}
    return states, by_product


def review_status(product, state):
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return ReviewStatus.IN_REVIEW
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return ReviewStatus.CHANGES_REQUESTED
    if product.live:
        return ReviewStatus.LIVE_WITH_CHANGES if product.has_unpublished_changes else ReviewStatus.LIVE
    return ReviewStatus.DRAFT


def product_rows(producer):
    """The "my products" list: each product with its review status, the moderator's comment
    when changes were requested, and a thumbnail; a fixed number of queries."""
    products = list(
        my_products(producer).prefetch_related(
            _photo_prefetch(),
        )
    )
    states, comments = _review_states(products)
    claimed = claimed_units(ReservationKind.PRODUCT, [p.pk for p in products]) if products else {}
    rows = []
    for product in products:
        photos = list(product.photos.all())
        rows.append(
            ProductRow(
                product=product,
                status=review_status(product, states.get(product.pk)),
                comment=comments.get(product.pk, ""),
                thumbnail=photos[0].image if photos else None,
                remaining=max(0, product.stock - claimed.get(product.pk, 0)),
            )
        )
    return rows


def product_row(producer, product):
    states, comments = _review_states([product])
    return ProductRow(
        product=product,
        status=review_status(product, states.get(product.pk)),
        comment=comments.get(product.pk, ""),
        thumbnail=None,
    )


def _photo_prefetch():
    images = get_image_model().objects.prefetch_renditions(THUMBNAIL)
    return Prefetch(
        "photos",
        queryset=ProductPhoto.objects.order_by("sort_order", "pk").prefetch_related(
            Prefetch("image", queryset=images)
        ),
    )


# --- orders and sales -------------------------------------------------------------------------


def my_lines(producer):
    """Order lines of the producer's products (all orders, any state)."""
    return OrderLine.objects.filter(
        kind=ReservationKind.PRODUCT,
        object_id__in=Product.objects.filter(producer=producer).values("pk"),
    )


def sold_lines(producer):
    """The producer's lines that stand as sales: of confirmed, paid or completed orders, and not
    cancelled on their own (a visitor may cancel produce until it is packed)."""
    return my_lines(producer).filter(order__status__in=SOLD_STATUSES, cancelled_at__isnull=True)


def lines_to_fulfil(producer):
    """Lines the farmer has to pack and hand over: open ones first, then the done ones."""
    return (
        sold_lines(producer)
        .select_related("order", "fulfilment")
        .order_by(
            # No fulfilment row yet, then packed, then handed over or shipped.
            F("fulfilment__status").asc(nulls_first=True),
            # Deliveries on a day first, soonest first (the same on every database).
            F("starts_at").asc(nulls_last=True),
            "order__created_at",
            "pk",
        )
    )


def my_line(producer, pk):
    return lines_to_fulfil(producer).filter(pk=pk).first()


def month_bounds(now=None):
    """[first day of this month, first day of next month) as aware datetimes in the local zone."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, next_month


@dataclass
class Sales:
    start: datetime.datetime
    end: datetime.datetime
    units: int
    revenue_fen: int
    orders: int
    by_product: list


def sales_this_month(producer, *, now=None):
    """Units and produce revenue (unit price × quantity, without shipping) of confirmed, paid and
    completed orders placed this month, in total and per product: three queries."""
    start, end = month_bounds(now)
    lines = sold_lines(producer).filter(order__created_at__gte=start, order__created_at__lt=end)
    revenue = Sum(F("unit_price_fen") * F("quantity"))
    totals = lines.aggregate(
        units=Coalesce(Sum("quantity"), 0),
        revenue_fen=Coalesce(revenue, 0),
        orders=Count("order", distinct=True),
    )
    by_product = list(
        lines.values("object_id")
        .annotate(
            units=Sum("quantity"),
            revenue_fen=revenue,
            line_count=Count("pk"),
        )
        .order_by("-revenue_fen", "object_id")
    )
    names = dict(
        Product.objects.filter(pk__in=[row["object_id"] for row in by_product]).values_list("pk", "name")
    )
    for row in by_product:
        row["name"] = names.get(row["object_id"], "")
    return Sales(
        start=start,
        end=end,
        units=totals["units"],
        revenue_fen=totals["revenue_fen"],
        orders=totals["orders"],
        by_product=by_product,
    )


# --- where to deliver -------------------------------------------------------------------------


@dataclass
class HomestayDelivery:
    """Where and to whom a homestay delivery goes: the day, the guest, and the homestay (its
    name, address and the phone that answers there: ``orders.lines.Whereabouts``), or no
    homestay when the guest's stay was cancelled since."""

    day: datetime.date
    guest: str = ""
    place: object = None


def homestay_deliveries(lines) -> dict:
    """{line pk: HomestayDelivery} for ``lines`` delivered to a homestay: the buyer's stay covering
    the day (their confirmed, paid or completed order), its homestay told by the stay kind
    (``LineKind.where``, so this app imports no other kind). Two queries for any number of lines."""
    wanted = []
    for line in lines:
        options = line.options or {}
        if options.get("delivery") == "homestay" and options.get("delivery_date"):
            try:
                wanted.append((line, datetime.date.fromisoformat(options["delivery_date"])))
            except (TypeError, ValueError):
                continue
    if not wanted:
        return {}
    days = [day for _line, day in wanted]
    stays = list(
        OrderLine.objects.filter(
            kind=ReservationKind.STAY,
            order__user_id__in={line.order.user_id for line, _day in wanted},
            order__status__in=SOLD_STATUSES,
            cancelled_at__isnull=True,
            start_date__lte=max(days),
            end_date__gt=min(days),
        )
        .select_related("order")
        .order_by("start_date", "pk")
    )
    places = get_line_kind(ReservationKind.STAY).where(stays) if stays else {}
    found = {}
    for line, day in wanted:
        covering = [
            stay
            for stay in stays
            if stay.order.user_id == line.order.user_id and stay.start_date <= day < stay.end_date
        ]
        # The stay bought with the produce first, else any stay of the buyer's that day.
        covering.sort(key=lambda stay: stay.order_id != line.order_id)
        stay = covering[0] if covering else None
        found[line.pk] = HomestayDelivery(
            day=day,
            guest=stay.order.contact_name if stay else line.order.contact_name,
            place=places.get(stay.pk) if stay else None,
        )
    return found
