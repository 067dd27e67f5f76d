from django import template
from django.utils.safestring import mark_safe

from orders.money import format_fen
from orders.qr import qr_svg

register = template.Library()


@register.filter
def fen(value, currency="CNY"):
    """{{ order.total_fen|fen }} → ¥123.45"""
    try:
        return format_fen(int(value), currency or "CNY")
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def voucher_qr(code):
    """The voucher's QR code as inline SVG (the code is ours: letters and digits only)."""
    return mark_safe(qr_svg(str(code)))  # noqa: S308
