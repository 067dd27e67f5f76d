"""Live sessions: scheduling, pinning products and giving back what a session did not sell.

Stock (through the reservation core, ``orders.reservations``): pinning a product reserves its
session stock as one confirmed "product" claim with no order (the set-aside), under the product's
lock, so the shop counts those units as taken and can never sell them twice. Sales in the
session claim the pin ("live" inventory, ``live.inventory``), whose capacity is the session
stock. Once the session has ended, ``return_unsold`` shrinks the set-aside to the units sold
(split off and cancelled through the core), so the rest is back on the shop; it runs as the
``live_return_unsold`` command or the ``live.tasks.return_unsold_stock`` task, and until it
runs the units only stay aside longer: never sold twice.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders import reservations
from orders.exceptions import ReservationError, SoldOut
from orders.locking import lock_rows
from orders.models import Reservation, ReservationStatus
from orders.reservations import Claim
from orders.selectors import claimed_units
from products.inventory import PRODUCT
from products.models import Product
from town.page_cache import bump_stock

from .inventory import LIVE
from .models import LiveSession, PinnedProduct, Status

MAX_PIN_STOCK = 999
STANDING = (ReservationStatus.HELD, ReservationStatus.CONFIRMED)


class LiveError(Exception):
    def __init__(self, message, field=None):
        self.message = message
        self.field = field
        super().__init__(str(message))


def schedule_session(*, producer, by_user, approved=False, **fields) -> LiveSession:
    """A new session of ``producer``; ``full_clean`` checks the links and times."""
    session = LiveSession(producer=producer, created_by=by_user, approved=approved, **fields)
    session.full_clean()
    with transaction.atomic():
        session.save()
    bump_stock(LIVE)
    return session


def pin_product(session, product, *, price_fen, stock, now=None) -> PinnedProduct:
    """Pin ``product`` to ``session`` at ``price_fen`` with ``stock`` units set aside from the shop's
    stock, all or nothing. Raises ``LiveError`` with the reason."""
    now = now or timezone.now()
    if session.status(now) == Status.ENDED:
        raise LiveError(_("This session has ended."))
    if product.producer_id != session.producer_id:
        raise LiveError(_("Only the host's own products can be pinned."), "product")
    if isinstance(price_fen, bool) or not isinstance(price_fen, int) or not 0 < price_fen < product.price_fen:
        raise LiveError(_("The session price must be above 0 and below the shop price."), "price_fen")
    if isinstance(stock, bool) or not isinstance(stock, int) or not 0 < stock <= MAX_PIN_STOCK:
        raise LiveError(_("Please set aside from 1 to %(n)d units.") % {"n": MAX_PIN_STOCK}, "stock")
    try:
        with transaction.atomic():
            pin = PinnedProduct.objects.create(
                session=session,
                product=product,
                price_fen=price_fen,
                stock=stock,
                sort_order=session.pins.count(),
            )
            # Held until the end (and a day after, for the tidy-up), then confirmed: it must not
            # lapse by itself while sold units still stand on it.
            [held] = reservations.reserve(
                [Claim(PRODUCT, product.pk, stock)],
                hold_for=session.ends_at - now + timedelta(days=1),
                now=now,
            )
            [aside] = reservations.confirm([held], now=now)
            pin.set_aside = aside
            pin.save(update_fields=["set_aside"])
    except IntegrityError:
        raise LiveError(_("This product is already pinned to the session."), "product") from None
    except SoldOut:
        left = max(0, product.stock - claimed_units(PRODUCT, [product.pk], now=now)[product.pk])
        raise LiveError(_("Only %(n)d left in the shop to set aside.") % {"n": left}, "stock") from None
    except ReservationError as exc:
        raise LiveError(exc.message, "product") from None
    bump_stock(LIVE, [pin.pk])
    return pin


def unpin(pin, *, now=None) -> None:
    """Take a pin off before anything sold on it: its units go back to the shop."""
    with transaction.atomic():
        [locked] = lock_rows(PinnedProduct, [pin.pk]).values() or [None]
        if locked is None:
            return
        if claimed_units(LIVE, [locked.pk], now=now)[locked.pk]:
            raise LiveError(_("Units of this product were already sold in the session."))
        if locked.set_aside_id:
            reservations.cancel([locked.set_aside_id], offer_to_waitlist=False)
        locked.delete()
    bump_stock(LIVE, [pin.pk])


def return_unsold(now=None) -> int:
    """For every pin of an ended session, shrink its set-aside to the units sold in it (held or
    paid), giving the rest back to the shop; return how many units went back. Safe to run again
    and again: a sale cancelled later gives its unit back on the next run."""
    now = now or timezone.now()
    returned = 0
    pin_ids = list(
        PinnedProduct.objects.filter(session__ends_at__lte=now, set_aside__status__in=STANDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pin_id in pin_ids:
        returned += _return_pin(pin_id, now)
    return returned


def _return_pin(pin_id, now) -> int:
    with transaction.atomic():
        # The pin's lock, as reserve() and confirm() take it for a sale: no sale slips in between.
        pin = lock_rows(PinnedProduct, [pin_id]).get(pin_id)
        if pin is None or pin.set_aside_id is None:
            return 0
        aside = Reservation.objects.select_for_update(of=("self",)).filter(pk=pin.set_aside_id).first()
        if aside is None or aside.status not in STANDING:
            return 0
        sold = claimed_units(LIVE, [pin.pk], now=now)[pin.pk]
        back = aside.quantity - sold
        if back <= 0:
            return 0
        if sold == 0:
            reservations.cancel([aside.pk])
        else:
            parts = reservations.split_off([aside.pk], aside.quantity, back, order_line=None)
            reservations.cancel(parts)
    bump_stock(LIVE, [pin_id])
    return back


def validation_message(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def host_products(session):
    """The host's products that can be pinned: live ones of the default locale."""
    return Product.objects.filter(producer_id=session.producer_id).live().order_by("name")
