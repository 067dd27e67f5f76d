from django import template

from orders.money import format_fen

register = template.Library()


@register.filter
def signed_fen(value):
    """{{ -74|signed_fen }} → −¥0.74 (the sign before the currency, as people write it)."""
    try:
        fen = int(value)
    except (TypeError, ValueError):
        return ""
    return f"−{format_fen(-fen)}" if fen < 0 else format_fen(fen)


@register.filter
def minus_fen(value):
    """What comes off a balance: {{ 75|minus_fen }} → −¥0.75; a negative one (commission given back
    with a refund) adds: +¥0.40; nothing is ¥0.00."""
    try:
        fen = int(value)
    except (TypeError, ValueError):
        return ""
    if fen > 0:
        return f"−{format_fen(fen)}"
    return f"+{format_fen(-fen)}" if fen < 0 else format_fen(0)
