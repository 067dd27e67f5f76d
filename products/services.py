"""Rules of the farmers' shop that the basket, the checkout and the views share: which delivery
options a visitor may choose, and what shipping costs.

Delivery to the visitor's homestay is offered only when the visitor will be staying in the town
on the delivery day: a confirmed or paid order of theirs with a stay line covering the day
(check-in <= day < check-out), or a stay line covering the day in the same basket. The basket
counts because the stay and the produce are then bought in one order with one payment: the
checkout takes both or neither, and if the visitor removes the stay first, the produce line turns
unavailable in the basket and the checkout refuses it (``ProductLine.price`` checks again).
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MODERATORS
from orders.exceptions import ReservationError
from orders.lines import get_line_kind
from orders.models import BasketLine, OrderLine, OrderStatus, ReservationKind
from orders.reservations import local_today
from town.translations import content_language

from .models import Product, ShippingRate

# Produce is delivered to a homestay at most this far ahead (it is fresh food).
MAX_DELIVERY_DAYS_AHEAD = 180


class DeliveryUnavailable(ReservationError):
    code = "delivery_unavailable"
    default_message = _("This delivery option is not available.")


class StaysInTown:
    """A visitor's stays covering some days, for homestay deliveries: from their confirmed or paid
    orders and from ``basket``, in two queries whatever the number of days (and two or three more
    to name a basket's stay, once).

    Confirmed or paid orders only: a pending order may never be paid, a cancelled one is gone.
    """

    def __init__(self, user, days, *, basket=None):
        days = list(days)
        first, last = min(days), max(days)
        self.ordered = []
        if user is not None and getattr(user, "is_authenticated", False):
            self.ordered = list(
                OrderLine.objects.filter(
                    order__user=user,
                    order__status__in=[OrderStatus.CONFIRMED, OrderStatus.PAID],
                    kind=ReservationKind.STAY,
                    start_date__lte=last,
                    end_date__gt=first,
                )
                .order_by("start_date", "pk")
                .values_list("start_date", "end_date", "title", "translated_title", "order__language")
            )
        self.in_basket = []
        if basket is not None and basket.pk is not None:
            self.in_basket = list(
                BasketLine.objects.filter(
                    basket=basket, kind=ReservationKind.STAY, start_date__lte=last, end_date__gt=first
                ).order_by("pk")
            )
        self._stay_batch = None

    def covering(self, day):
        """The name of the homestay of the stay covering ``day`` (check-in <= day < check-out),
        in the active language when known, or None."""
        language = content_language()
        for start, end, title, translated, ordered_in in self.ordered:
            if start <= day < end:
                return translated if translated and content_language(ordered_in) == language else title
        for line in self.in_basket:
            if line.start_date <= day < line.end_date:
                stays = get_line_kind(ReservationKind.STAY)
                if self._stay_batch is None:
                    self._stay_batch = stays.prepare(self.in_basket)
                try:
                    snapshot = stays.snapshot(line, self._stay_batch)
                except ReservationError:
                    return gettext("your homestay")
                return snapshot.translated_title or snapshot.title
        return None


def stay_covering(user, day, *, basket=None):
    """The title of a stay of ``user`` (or in ``basket``) covering ``day``, or None."""
    return StaysInTown(user, [day], basket=basket).covering(day)


def stay_periods(user, *, basket=None, today=None):
    """The visitor's stays from ``today`` on: [(check-in, check-out)], from their confirmed or paid
    orders and their basket; at most two queries (none for an anonymous visitor without basket)."""
    today = today or local_today()
    periods = set()
    if user is not None and getattr(user, "is_authenticated", False):
        periods.update(
            OrderLine.objects.filter(
                order__user=user,
                order__status__in=[OrderStatus.CONFIRMED, OrderStatus.PAID],
                kind=ReservationKind.STAY,
                end_date__gt=today,
            ).values_list("start_date", "end_date")
        )
    if basket is not None and basket.pk is not None:
        periods.update(
            BasketLine.objects.filter(
                basket=basket, kind=ReservationKind.STAY, end_date__gt=today
            ).values_list("start_date", "end_date")
        )
    return sorted(p for p in periods if p[0] is not None and p[1] is not None)


def check_homestay_delivery(user, day, *, basket=None, stays=None):
    """Raise ``DeliveryUnavailable`` unless the visitor has a stay covering ``day``; return its title.
    ``stays``: the visitor's ``StaysInTown`` when the caller loaded them (for many lines)."""
    title = (stays or StaysInTown(user, [day], basket=basket)).covering(day)
    if title is None:
        raise DeliveryUnavailable(
            _(
                "Delivery to your homestay is possible only on a day you are staying in the town: "
                "book the stay first (or add it to your basket), or choose pickup or shipping."
            )
        )
    return title


def shipping_rate(region):
    """The shipping rate for ``region`` (its name or id), or None."""
    if not isinstance(region, (int, str)):
        return None
    return shipping_rates([region]).get(region)


def shipping_rates(regions) -> dict:
    """{region: its ShippingRate} for the ``regions`` (names or ids) that name one, in one query."""
    names, ids = set(), set()
    for region in regions:
        if isinstance(region, int) and not isinstance(region, bool):
            ids.add(region)
        elif isinstance(region, str) and region.strip():
            names.add(region.strip())
            if region.strip().isdigit():
                ids.add(int(region.strip()))
    if not names and not ids:
        return {}
    found = list(ShippingRate.objects.filter(Q(region__in=names) | Q(pk__in=ids)).order_by("pk"))
    by_name, by_id = {}, {rate.pk: rate for rate in found}
    for rate in found:
        by_name.setdefault(rate.region, rate)
    result = {}
    for region in regions:
        if isinstance(region, int) and not isinstance(region, bool):
            rate = by_id.get(region)
        elif isinstance(region, str) and region.strip():
            value = region.strip()
            rate = by_name.get(value) or (by_id.get(int(value)) if value.isdigit() else None)
        else:
            rate = None
        if rate is not None:
            result[region] = rate
    return result


def latest_delivery_date(today):
    return today + datetime.timedelta(days=MAX_DELIVERY_DAYS_AHEAD)


# --- staff set-up: the moderation workflow and the staff roles' permissions --------------------

MODERATION_WORKFLOW_NAME = "Product moderation"
MODERATION_TASK_NAME = "Product review by the tourism office"
# What the staff roles may do with the shop's models in the Wagtail admin (farmers never enter it).
STAFF_PERMISSIONS = {
    "Moderators": [
        "view_product",
        "change_product",
        "publish_product",
        "lock_product",
        "unlock_product",
        "view_producer",
        "view_orderline",
    ],
    "Tourism office editors": [
        "add_product",
        "view_product",
        "change_product",
        "publish_product",
        "lock_product",
        "unlock_product",
        "view_producer",
        "change_producer",
        "add_shippingrate",
        "view_shippingrate",
        "change_shippingrate",
        "delete_shippingrate",
        "view_orderline",
    ],
}


def ensure_product_workflow():
    """The "Product moderation" workflow (one approval by a moderator or editor) on the Product
    content type, and the staff roles' shop permissions. Idempotent; a workflow staff have since
    assigned to products is left alone."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (MODERATORS, EDITORS)}
    for name, codenames in STAFF_PERMISSIONS.items():
        permissions = Permission.objects.filter(
            codename__in=codenames, content_type__app_label__in=["products", "orders"]
        )
        groups[name].permissions.add(*permissions)

    content_type = ContentType.objects.get_for_model(Product)
    existing = (
        WorkflowContentType.objects.filter(content_type=content_type).select_related("workflow").first()
    )
    if existing is not None:
        return existing.workflow
    workflow, _created = Workflow.objects.get_or_create(name=MODERATION_WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=MODERATION_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=MODERATION_TASK_NAME)
    task.groups.add(groups[MODERATORS], groups[EDITORS])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowContentType.objects.create(content_type=content_type, workflow=workflow)
    return workflow
