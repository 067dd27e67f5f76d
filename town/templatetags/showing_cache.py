"""``{% showingcache name vary_on... %}``: a page fragment remembered by
``town.page_cache.cached_showing``, for fragments built from rows that are not content.

``{% contentcache %}`` is cleared only by what editors publish (the content version). What a
farmer or host changes on the selling apps' rows (a product's price or name, its photos, batches
and certificates, a producer's story) moves the pages version instead, and what is left to sell
moves stock tags; ``cached_showing`` keys by both versions and the town's date, and keeps the
stock tags read while the fragment rendered with it, so a sale of what it shows makes it a miss.

The key also has the fragment's name, the active language, the page's cache key and the site (as
``{% wagtailpagecache %}``). A ``vary_on`` value of None renders the fragment uncached, and so
does a preview. Never put anything per visitor inside (a form with errors, the visitor's stays),
with one exception: the CSRF token. A fragment is rendered for the cache with the page cache's
placeholder in its place (as the anonymous page cache stores whole pages), and each visitor's own
token is put in where it stands; a view that asked for no CSRF protection renders it uncached.
"""

import hashlib

from django import template
from django.template import TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail.models import Site

from town.page_cache import CSRF_PLACEHOLDER, cached_showing

register = template.Library()

# What Django's context processor gives when the view asked for no CSRF protection.
NOT_PROVIDED = "NOTPROVIDED"


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

        html = cached_showing(parts, lambda: render_for_everyone(context, self.nodelist.render))
        mine = for_this_visitor(context, html)
        return self.nodelist.render(context) if mine is None else mine


def render_for_everyone(context, render):
    """``render(context)`` as every visitor may be given it: with the page cache's placeholder
    where ``{% csrf_token %}`` puts the visitor's token."""
    with context.update({"csrf_token": CSRF_PLACEHOLDER}):
        return render(context)


def for_this_visitor(context, html):
    """``html`` made by ``render_for_everyone`` with this visitor's own CSRF token put in, or None
    when the view asked for no CSRF protection (render it live then)."""
    if CSRF_PLACEHOLDER not in html:
        return mark_safe(html)  # noqa: S308 (rendered and escaped by the template)
    token = context.get("csrf_token")
    if not token or token == NOT_PROVIDED:
        return None
    # str(): the token is made for this visitor now, as {% csrf_token %} would make it (which also
    # sets the CSRF cookie). The fragment was rendered (and escaped) by the template; a token is
    # letters and digits.
    return mark_safe(html.replace(CSRF_PLACEHOLDER, str(token)))  # noqa: S308


@register.tag("showingcache")
def do_showingcache(parser, token):
    nodelist = parser.parse(("endshowingcache",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 2:
        raise TemplateSyntaxError(f"'{tokens[0]}' tag requires a fragment name.")
    return ShowingCacheNode(nodelist, tokens[1], [parser.compile_filter(t) for t in tokens[2:]])
