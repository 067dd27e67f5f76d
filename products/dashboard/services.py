"""Write paths of the farmer dashboard: a farmer's products and the fulfilment of their lines.

Products go through Wagtail's own machinery, as the snippet admin would: ``CreateAction`` /
``EditAction`` save the draft and a revision, ``Workflow.start`` (or ``resume`` after changes
were requested) submits the latest revision to the "Product moderation" workflow, and the
moderator's approval publishes it. Edits to a product on sale stay in a revision until approved,
except the stock: it is the farmer's inventory, not content, so it takes effect at once.

The farmer says how many units are LEFT to sell ("remaining"); ``Product.stock`` stays the total
ever put on sale, from which the reservation core subtracts the live claims. The stock is worked
out here, under the product row's lock (the lock ``orders.reservations.reserve`` takes before
counting claims), as remaining + the live claims, so no sale is lost or counted twice.

Every function takes the producer and finds the object among *their* rows, so another farmer's
product or line is "not found", never changed.
"""

import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from wagtail.actions.create import CreateAction
from wagtail.actions.edit import EditAction
from wagtail.models import Locale, WorkflowState

from accounts.notices import channels_for, send_notice_sms
from orders.models import ReservationKind
from orders.selectors import claimed_units
from town.page_cache import bump_stock

from ..models import FulfilmentStatus, LineFulfilment, Product, ProductPhoto
from ..uploads import PhotoBatch
from . import selectors

MAX_PHOTOS = 8
MAX_STOCK = 100_000
TRACKING_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{3,63}$")
PRODUCT_FIELDS = (
    "name",
    "category",
    "description",
    "unit",
    "price_fen",
    "months_in_season",
    "origin_village",
    "video_url",
    "offers_pickup",
    "offers_homestay_delivery",
    "offers_shipping",
)


class DashboardError(Exception):
    """Something the farmer cannot do now; ``message`` can be shown as is."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class NotFound(DashboardError):
    def __init__(self):
        super().__init__(_("Not found."))


# --- products ---------------------------------------------------------------------------------


def _set_photos(product, kept, checked_photos, photos, title):
    """Give the (in-memory) product its photo list: the kept ones, then the new uploads."""
    new = [
        ProductPhoto(image=photos.store(checked, title=title, renditions="product"))
        for checked in checked_photos
    ]
    ordered = list(kept) + new
    for index, photo in enumerate(ordered):
        photo.sort_order = index
    product.photos = ordered


def create_product(producer, *, data, new_photos=(), user=None):
    """A new draft product of ``producer`` with its first revision; not yet submitted."""
    user = user or producer.user
    if len(new_photos) > MAX_PHOTOS:
        raise DashboardError(_("A product can have at most %(n)d photos.") % {"n": MAX_PHOTOS})
    with PhotoBatch(user) as photos, transaction.atomic():
        product = Product(producer=producer, locale=Locale.get_default())
        for name in PRODUCT_FIELDS:
            setattr(product, name, data[name])
        product.stock = _check_remaining(data["remaining"])  # nothing sold yet: all of it is left
        _set_photos(product, [], new_photos, photos, product.name)
        product = CreateAction(product, user=user, clean=True).execute(skip_permission_checks=True)
    return product


def update_product(producer, product_id, *, data, new_photos=(), remove_image_ids=(), user=None):
    """Save the farmer's changes as a new revision (and on the row itself while it is a draft).

    Refused while the product is in review: the moderator is looking at a fixed version.
    """
    user = user or producer.user
    with PhotoBatch(user) as photos, transaction.atomic():
        locked = selectors.my_products(producer).select_for_update().filter(pk=product_id).first()
        if locked is None:
            raise NotFound()
        if locked.workflow_in_progress:
            raise DashboardError(_("This product is being reviewed. Withdraw it from review to change it."))
        stock = stock_for(locked, data["remaining"])
        product = locked.get_latest_revision_as_object()
        for name in PRODUCT_FIELDS:
            setattr(product, name, data[name])
        product.stock = stock
        remove = set(remove_image_ids)
        kept = [photo for photo in product.photos.all() if photo.image_id not in remove]
        if len(kept) + len(new_photos) > MAX_PHOTOS:
            raise DashboardError(_("A product can have at most %(n)d photos.") % {"n": MAX_PHOTOS})
        _set_photos(product, kept, new_photos, photos, product.name)
        product = EditAction(product, user=user, clean=True).execute(skip_permission_checks=True)
        if product.live:
            # The revision waits for review; the stock is the farmer's to set at once.
            Product.objects.filter(pk=product.pk).update(stock=stock)
            bump_stock(ReservationKind.PRODUCT, [product.pk])  # update() sends no signal
    return product


def _check_remaining(remaining):
    if isinstance(remaining, bool) or not isinstance(remaining, int) or not 0 <= remaining <= MAX_STOCK:
        raise DashboardError(_("Please give a whole number from 0 to %(n)d.") % {"n": MAX_STOCK})
    return remaining


def stock_for(locked, remaining):
    """The stock that leaves ``remaining`` units to sell: ``remaining`` + the live claims (held in
    baskets being paid, or sold). ``locked``: the product row, locked by the caller."""
    remaining = _check_remaining(remaining)
    claimed = claimed_units(ReservationKind.PRODUCT, [locked.pk])[locked.pk]
    if remaining + claimed > MAX_STOCK:
        raise DashboardError(_("Please give a whole number from 0 to %(n)d.") % {"n": MAX_STOCK - claimed})
    return remaining + claimed


def set_remaining(producer, product_id, remaining, *, user=None):
    """Set how many units are left to sell, at once, at any time (even while in review: stock is
    the farmer's inventory, and the moderator's approval publishes the latest revision, which
    then carries the new figure too). Returns the new stock."""
    _check_remaining(remaining)
    with transaction.atomic():
        locked = selectors.my_products(producer).select_for_update().filter(pk=product_id).first()
        if locked is None:
            raise NotFound()
        return _set_stock(locked, stock_for(locked, remaining), user=user or producer.user)


def _set_stock(locked, stock, *, user):
    if locked.live:
        Product.objects.filter(pk=locked.pk).update(stock=stock)
        bump_stock(ReservationKind.PRODUCT, [locked.pk])  # update() sends no signal
    if not locked.live or locked.has_unpublished_changes:
        # Keep the pending version in step, so publishing it later does not undo this.
        product = locked.get_latest_revision_as_object()
        product.stock = stock
        EditAction(product, user=user, clean=False).execute(skip_permission_checks=True)
    return stock


def submit_for_review(producer, product_id, *, user=None):
    """Send the latest version to the product moderation workflow (as the snippet admin's
    "Submit for moderation" does); a product sent back with changes requested resumes its
    workflow."""
    user = user or producer.user
    with transaction.atomic():
        product = selectors.my_products(producer).select_for_update().filter(pk=product_id).first()
        if product is None:
            raise NotFound()
        workflow = product.get_workflow()
        if workflow is None:
            raise DashboardError(_("Products cannot be reviewed right now. Please ask the tourism office."))
        state = product.current_workflow_state
        if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
            raise DashboardError(_("This product is already waiting for review."))
        if product.live and not product.has_unpublished_changes:
            raise DashboardError(_("This product is on sale and has no changes to review."))
        # The version reviewed must be complete, even if drafts may be saved half-done.
        product.get_latest_revision_as_object().full_clean()
        if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user)
        else:
            workflow.start(product, user)
    return product


def withdraw_from_review(producer, product_id, *, user=None):
    """Take a product out of review (to change it); it stays a draft, or on sale as before."""
    user = user or producer.user
    with transaction.atomic():
        product = selectors.my_products(producer).select_for_update().filter(pk=product_id).first()
        if product is None:
            raise NotFound()
        state = product.current_workflow_state
        if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
            raise DashboardError(_("This product is not waiting for review."))
        state.cancel(user=user)
    return product


# --- fulfilment -------------------------------------------------------------------------------

# Allowed next steps: packed first (or straight to the last step), then handed over or shipped.
NEXT_STEPS = {
    None: {FulfilmentStatus.PACKED, FulfilmentStatus.HANDED_OVER, FulfilmentStatus.SHIPPED},
    FulfilmentStatus.PACKED: {FulfilmentStatus.HANDED_OVER, FulfilmentStatus.SHIPPED},
    FulfilmentStatus.HANDED_OVER: set(),
    FulfilmentStatus.SHIPPED: set(),
}


def final_step(line):
    """Shipped lines end "shipped" (with a tracking number); pickup and homestay delivery end
    "handed over"."""
    delivery = (line.options or {}).get("delivery")
    return FulfilmentStatus.SHIPPED if delivery == "shipping" else FulfilmentStatus.HANDED_OVER


def update_fulfilment(producer, line_id, status, *, tracking_number="", user=None):
    """Move one of the producer's order lines on: packed → handed over / shipped.

    Repeating the current step changes nothing (a double tap on a phone is harmless).
    """
    user = user or producer.user
    if status not in FulfilmentStatus.values:
        raise DashboardError(_("Please choose a step."))
    status = FulfilmentStatus(status)
    tracking_number = " ".join((tracking_number or "").split())
    with transaction.atomic():
        line = selectors.sold_lines(producer).filter(pk=line_id).select_for_update(of=("self",)).first()
        if line is None:
            raise NotFound()
        fulfilment = LineFulfilment.objects.select_for_update().filter(order_line=line).first()
        current = FulfilmentStatus(fulfilment.status) if fulfilment else None
        if current == status:
            return fulfilment
        if status not in NEXT_STEPS[current]:
            raise DashboardError(_("This order is already %(status)s.") % {"status": current.label.lower()})
        if status != FulfilmentStatus.PACKED and status != final_step(line):
            if status == FulfilmentStatus.SHIPPED:
                raise DashboardError(_("This order is not shipped: mark it handed over instead."))
            raise DashboardError(_("This order is shipped: mark it shipped with its tracking number."))
        if status == FulfilmentStatus.SHIPPED and not TRACKING_RE.match(tracking_number):
            raise DashboardError(_("Please give the courier's tracking number (4 to 64 letters and digits)."))
        if fulfilment is None:
            fulfilment = LineFulfilment(order_line=line)
        fulfilment.status = status
        if status == FulfilmentStatus.SHIPPED:
            fulfilment.tracking_number = tracking_number
        fulfilment.updated_by = user
        fulfilment.save()
        if status == FulfilmentStatus.SHIPPED:
            transaction.on_commit(lambda: send_shipped_notice.enqueue(fulfilment.pk))
    return fulfilment


SHIPPED_SMS = _("Your %(item)s (%(ref)s) is shipped, tracking number %(tracking)s.")


@task()
def send_shipped_notice(fulfilment_id: int) -> None:
    """Tell the buyer their parcel left the farm, with the courier's tracking number."""
    fulfilment = LineFulfilment.objects.select_related("order_line__order__user").get(pk=fulfilment_id)
    line = fulfilment.order_line
    order = line.order
    channels = channels_for(order.user)
    language = order.language or settings.LANGUAGE_CODE
    with translation.override(language):
        if channels.email:
            subject = gettext("Your %(item)s from order %(ref)s is on its way") % {
                "item": line.title,
                "ref": order.reference,
            }
            body = render_to_string(
                "products/dashboard/email/shipped.txt",
                {"line": line, "order": order, "fulfilment": fulfilment},
            )
            send_mail(
                getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "") + subject, body, None, [channels.email]
            )
        if channels.sms:
            send_notice_sms(
                channels.sms,
                "produce_shipped",
                SHIPPED_SMS,
                {"item": line.title_in(), "ref": order.reference, "tracking": fulfilment.tracking_number},
                language=language,
            )
