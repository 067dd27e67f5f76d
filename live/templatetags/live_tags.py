"""The live sessions as the shop shows them: a strip on the shop page when one is live or coming,
and on a product page when the product is pinned in one. Remembered in the cache until a
session or a pin changes, so a warm shop page runs no query more."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("live/includes/strip.html")
def live_strip():
    sessions = selectors.current_sessions(limit=1)
    return {"session": sessions[0] if sessions else None}


@register.inclusion_tag("live/includes/product_strip.html")
def live_product_strip(product):
    pins = selectors.sessions_pinning(product.pk)
    return {"pin": pins[0] if pins else None, "product": product}
