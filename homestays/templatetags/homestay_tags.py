from django import template

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen as yuan for display: 12800 → "¥128", 12850 → "¥128.50"."""
    if fen is None or fen == "":
        return ""
    fen = int(fen)
    whole, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{whole:,}" if cents == 0 else f"{sign}¥{whole:,}.{cents:02d}"
