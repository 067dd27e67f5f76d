from django import template
from django.utils.safestring import mark_safe

from orders.lines import describing_kind
from orders.money import format_fen
from orders.payments.base import pay_url as provider_pay_url
from orders.qr import qr_svg
from orders.receipts import has_receipt as _has_receipt

register = template.Library()


@register.filter
def fen(value, currency="CNY"):
    """{{ order.total_fen|fen }} → ¥123.45"""
    try:
        return format_fen(int(value), currency or "CNY")
    except (TypeError, ValueError):
        return ""


@register.filter
def has_receipt(order):
    """{% if order|has_receipt %}: money was taken, so the order has a receipt (reads the
    order's payments as prefetched)."""
    return _has_receipt(order.payments.all())


@register.simple_tag
def voucher_qr(code):
    """The voucher's QR code as inline SVG (the code is ours: letters and digits only)."""
    return mark_safe(qr_svg(str(code)))  # noqa: S308


@register.filter
def line_heading(order_line):
    """{{ line|line_heading }}: what the order line sold, as its kind names it."""
    return describing_kind(order_line.kind).heading(order_line)


@register.filter
def line_summary(order_line):
    """{{ line|line_summary }}: the order line in words, as its kind says it (``LineKind.summary``)."""
    return describing_kind(order_line.kind).summary(order_line)


@register.filter
def note_label(line):
    """{{ line|note_label }}: who reads the visitor's note on this (basket or order) line."""
    return describing_kind(line.kind).note_label(line)


@register.filter
def parts_after_their_line(lines):
    """{% for line in order.lines.all|parts_after_their_line %}: the lines in their order, each
    part given back (some of a line's tickets) right after the line it came from, and a stay
    moved to other dates right before the line that replaced it."""
    return sorted(lines, key=lambda line: (line.replaced_by_id or line.split_from_id or line.pk, line.pk))


@register.filter
def pay_url(payment):
    """{{ payment|pay_url }}: our page where the visitor pays it (its provider's), or ""."""
    return provider_pay_url(payment) or ""
