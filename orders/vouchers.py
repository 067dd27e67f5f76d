"""Vouchers: one per order line, a code a host can type or scan (shown as a QR code, ``orders.qr``);
checking one in at the door or the gate."""

from django.db import transaction
from django.utils import timezone

from . import order_state
from .models import SOLD_STATUSES, Order, Voucher
from .selectors import on_site_payment_due


class CheckInResult:
    ADMITTED, ALREADY_USED, NOT_VALID = "admitted", "already_used", "not_valid"
    # A valid voucher, but for another event or tour slot than the gate's (``belongs`` said no).
    ELSEWHERE = "elsewhere"
    # A valid voucher of an order to be paid on site that nobody has taken the money for yet:
    # left unused until staff collect it (``check_in(..., collect=True)``).
    UNPAID = "unpaid"


def normalize_code(code) -> str:
    """What a host types or a scanner reads: case and spaces/dashes do not matter."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:32]


def check_in(code, *, by_user, now=None, belongs=None, collect=False):
    """Mark a voucher used; return (result, voucher or None). A retried scan never admits twice.

    Staff may check in any voucher; a host only those of their own homestay. Vouchers of orders
    that are not confirmed, paid or completed are not valid, nor are void ones (the organiser
    called their line off). ``belongs`` (optional) is asked, under the lock, whether the order
    line is for this gate (event, tour slot): if not, the voucher is left unused and the result
    is ``ELSEWHERE``.

    An order still to be paid on site is not admitted (``UNPAID``) unless ``collect``: the one
    who scans took the whole order's money, which is recorded as paid by them
    (``order_state.mark_paid_on_site``) in the same transaction as the admission. A retried or
    simultaneous collect records the payment once and admits once.
    """
    valid_statuses = SOLD_STATUSES
    code = normalize_code(code)
    with transaction.atomic():
        if collect:
            # Marking paid locks the order, then its payment: take the order before the voucher,
            # as every other path that locks an order does.
            order_id = (
                Voucher.objects.filter(code=code).values_list("order_line__order_id", flat=True).first()
            )
            list(Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True))
        voucher = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("order_line__order")
            .filter(code=code)
            .first()
        )
        if voucher is None:
            return CheckInResult.NOT_VALID, None
        line = voucher.order_line
        allowed = by_user.is_staff or by_user.is_superuser or line.provider_user_id == by_user.pk
        if not allowed or line.order.status not in valid_statuses or voucher.voided_at is not None:
            return CheckInResult.NOT_VALID, None
        if belongs is not None and not belongs(line):
            return CheckInResult.ELSEWHERE, voucher
        if voucher.used_at is not None:
            return CheckInResult.ALREADY_USED, voucher
        if on_site_payment_due(line.order) is not None:
            if not collect:
                return CheckInResult.UNPAID, voucher
            order_state.mark_paid_on_site(line.order, by_user=by_user, now=now)
        voucher.used_at = now or timezone.now()
        voucher.used_by = by_user
        voucher.save(update_fields=["used_at", "used_by"])
        return CheckInResult.ADMITTED, voucher
