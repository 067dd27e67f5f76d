"""Vouchers: one per order line, a code a host can type or scan, shown as a QR code."""

import base64
import io

import qrcode
import qrcode.image.svg


def qr_svg(code: str) -> str:
    """The QR code of ``code`` as an inline SVG document (for pages)."""
    image = qrcode.make(code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


def qr_svg_data_uri(code: str) -> str:
    svg = qr_svg(code).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def qr_png(code: str) -> bytes:
    """The QR code as PNG bytes (for e-mails: mail clients show PNG, not SVG)."""
    buffer = io.BytesIO()
    qrcode.make(code, box_size=6, border=2).save(buffer, format="PNG")
    return buffer.getvalue()


class CheckInResult:
    ADMITTED, ALREADY_USED, NOT_VALID = "admitted", "already_used", "not_valid"
    # A valid voucher, but for another event or tour slot than the gate's (``belongs`` said no).
    ELSEWHERE = "elsewhere"


def normalize_code(code) -> str:
    """What a host types or a scanner reads: case and spaces/dashes do not matter."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())[:32]


def check_in(code, *, by_user, now=None, belongs=None):
    """Mark a voucher used; return (result, voucher or None). A retried scan never admits twice.

    Staff may check in any voucher; a host only those of their own homestay. Vouchers of orders
    that are not confirmed, paid or completed are not valid, nor are void ones (the organiser
    called their line off). ``belongs`` (optional) is asked, under the lock, whether the order
    line is for this gate (event, tour slot): if not, the voucher is left unused and the result
    is ``ELSEWHERE``.
    """
    from django.db import transaction
    from django.utils import timezone

    from .models import SOLD_STATUSES, Voucher

    valid_statuses = SOLD_STATUSES
    code = normalize_code(code)
    with transaction.atomic():
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
        voucher.used_at = now or timezone.now()
        voucher.used_by = by_user
        voucher.save(update_fields=["used_at", "used_by"])
        return CheckInResult.ADMITTED, voucher
