from django import template
from django.utils.safestring import mark_safe

from orders.lines import LineKind, line_kind_or_none
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


@register.filter
def line_heading(order_line):
    """{{ line|line_heading }}: what the order line sold, as its kind names it."""
    handler = line_kind_or_none(order_line.kind)
    return handler.heading(order_line) if handler is not None else LineKind().heading(order_line)


@register.filter
def line_summary(order_line):
    """{{ line|line_summary }}: the order line in words, as its kind says it (``LineKind.summary``)."""
    handler = line_kind_or_none(order_line.kind)
    return handler.summary(order_line) if handler is not None else ""


@register.filter
def note_label(line):
    """{{ line|note_label }}: who reads the visitor's note on this (basket or order) line."""
    handler = line_kind_or_none(line.kind)
    return handler.note_label(line) if handler is not None else LineKind().note_label(line)
