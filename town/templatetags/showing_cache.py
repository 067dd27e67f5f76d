"""``{% showingcache name vary_on... %}``: a page fragment remembered by
``town.page_cache.cached_showing``, for fragments built from rows that are not content.

``{% contentcache %}`` is cleared only by what editors publish (the content version). What a
farmer or host changes on the selling apps' rows (a product's price or name, its photos, batches
and certificates, a producer's story) moves the pages version instead, and what is left to sell
moves stock tags; ``cached_showing`` keys by both versions and the town's date, and keeps the
stock tags read while the fragment rendered with it, so a sale of what it shows makes it a miss.

The key also has the fragment's name, the active language, the page's cache key and the site (as
``{% wagtailpagecache %}``). A ``vary_on`` value of None renders the fragment uncached, and so
does a preview. Never put anything per visitor inside (a CSRF token, a form with errors).
"""

import hashlib

from django import template
from django.template import TemplateSyntaxError
from django.utils import translation
from wagtail.models import Site

from town.page_cache import cached_showing

register = template.Library()


class ShowingCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        values = [value.resolve(context) for value in self.vary_on]
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False) or any(v is None for v in values):
            return self.nodelist.render(context)
        page = context.get("page")
        site = Site.find_for_request(request)
        # Hashed, as Django's fragment keys are: a value may hold what a visitor typed.
        varies = hashlib.md5(":".join(str(value) for value in values).encode(), usedforsecurity=False)
        parts = (
            "fragment",
            self.name,
            translation.get_language(),
            getattr(page, "cache_key", ""),
            site.pk if site else "",
            varies.hexdigest(),
        )
        return cached_showing(parts, lambda: self.nodelist.render(context))


@register.tag("showingcache")
def do_showingcache(parser, token):
    nodelist = parser.parse(("endshowingcache",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 2:
        raise TemplateSyntaxError(f"'{tokens[0]}' tag requires a fragment name.")
    return ShowingCacheNode(nodelist, tokens[1], [parser.compile_filter(t) for t in tokens[2:]])
