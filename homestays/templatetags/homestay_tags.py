import hashlib

from django import template
from django.template import TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe

from town.page_cache import cached_showing

register = template.Library()

# Stands for the visitor's CSRF token in a fragment rendered for everyone (never a valid token:
# tokens are letters and digits); each render puts the visitor's own in its place.
CSRF_HOLE = "@@homestay-fragment-csrf@@"


@register.filter
def yuan(fen):
    """Integer fen as yuan for display: 12800 → "¥128", 12850 → "¥128.50"."""
    if fen is None or fen == "":
        return ""
    fen = int(fen)
    whole, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{whole:,}" if cents == 0 else f"{sign}¥{whole:,}.{cents:02d}"


class ShowingCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        parts = [value.resolve(context) for value in self.vary_on]
        if request is None or getattr(request, "is_preview", False) or any(part is None for part in parts):
            return self.nodelist.render(context)

        def compute():
            with context.push(csrf_token=CSRF_HOLE):
                return self.nodelist.render(context)

        # Hashed: an address may be long, and cache keys are bounded (memcached's 250 characters).
        varies = hashlib.md5(  # noqa: S324 (a key, not a secret)
            "\0".join([translation.get_language() or "", request.get_host(), *map(str, parts)]).encode()
        ).hexdigest()
        key = ("showing-fragment", self.name, varies)
        html = cached_showing(key, compute)
        if CSRF_HOLE in html:
            # Only fragments with a form ask for the token (asking sets the CSRF cookie).
            html = html.replace(CSRF_HOLE, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308 (the fragment's own rendering, escaped as it was made)


@register.tag("showingcache")
def do_showingcache(parser, token):
    """``{% showingcache name vary_on... %}…{% endshowingcache %}``: a fragment that shows
    availability, remembered through ``town.page_cache.cached_showing``: its key holds the
    content and pages versions, the town's date, the language, the host and ``vary_on``, and the
    stock tags read while rendering it (a booking of what it shows makes it a miss). A ``vary_on``
    value of None (or a preview) renders it live. The visitor's CSRF token is put in on every
    render, never kept."""
    nodelist = parser.parse(("endshowingcache",))
    parser.delete_first_token()
    bits = token.split_contents()
    if len(bits) < 2:
        raise TemplateSyntaxError(f"'{bits[0]}' needs a name.")
    return ShowingCacheNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])
