"""``{% contentcache timeout name vary_on... %}``: a page fragment cached until the next publish.

Wagtail's ``{% wagtailpagecache %}`` (the page's own cache key and the site, skipped in previews)
plus the content version and the active language, so a publish anywhere invalidates every
fragment at once (see ``town.cache``). A ``vary_on`` value of None means "do not cache this
request" (an unknown filter value, say): the fragment renders as if the tag were not there.

A fragment that only a publish changes (the content timeout of a day, not the ten minutes of a
list that turns over with the clock) is also kept in this process's memory until the next
publish (``town.cache.fragment_memo``), under the same key: a page's fragments then cost no file
read and unpickling each (with the file cache of a single host), nor a Redis round trip.
"""

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.template import TemplateSyntaxError, Variable, VariableDoesNotExist
from django.utils import translation
from wagtail.models import PAGE_TEMPLATE_VAR
from wagtail.templatetags.wagtail_cache import WagtailPageCacheNode

from town.cache import CONTENT_TIMEOUT, content_version, fragment_memo
from town.sites import find_site

register = template.Library()

VERSION_VAR = "tianyuan_content_version"
LANGUAGE_VAR = "tianyuan_fragment_language"


class ContentCacheNode(WagtailPageCacheNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_vary_on = list(self.vary_on[:-2])  # what the template gave, before Wagtail's two
        self.vary_on.extend([Variable(VERSION_VAR), Variable(LANGUAGE_VAR)])

    def render(self, context):
        if any(value.resolve(context) is None for value in self.own_vary_on):
            return self.nodelist.render(context)
        with context.update({VERSION_VAR: content_version(), LANGUAGE_VAR: translation.get_language()}):
            key = self._kept_key(context)
            if key is None:
                return super().render(context)
            value = fragment_memo.get(key)
            if value is None:
                value = super().render(context)
                fragment_memo.set(key, value, size=len(value))
            return value

    def _kept_key(self, context):
        """The fragment's cache key, when this process may keep it: content alone decides it (the
        content timeout) and the page is served as published (Wagtail's tag skips the cache for
        a preview, and with no request it cannot tell)."""
        request = context.get("request")
        if request is None or getattr(request, "is_preview", False):
            return None
        try:
            timeout = int(self.expire_time_var.resolve(context))
        except (VariableDoesNotExist, ValueError, TypeError):
            return None
        if timeout < CONTENT_TIMEOUT:
            return None
        with context.update({self.CACHE_SITE_TEMPLATE_VAR: find_site(request)}):
            vary_on = [var.resolve(context) for var in self.vary_on]
        return make_template_fragment_key(self.fragment_name, vary_on)


class ShellCacheNode(ContentCacheNode):
    """A fragment of the site's shell, the same on every page (the footer): keyed by the site,
    the content version and the language, not by the page it is shown on."""

    PAGE_KEY = f"{PAGE_TEMPLATE_VAR}.cache_key"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vary_on = [v for v in self.vary_on if not (isinstance(v, Variable) and v.var == self.PAGE_KEY)]


def _parse(parser, token, node_class, end):
    """Parsed as Django's ``{% cache %}`` (without ``using=``)."""
    nodelist = parser.parse((end,))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 3:
        raise TemplateSyntaxError(f"'{tokens[0]}' tag requires at least 2 arguments.")
    return node_class(
        nodelist,
        parser.compile_filter(tokens[1]),
        tokens[2],
        [parser.compile_filter(t) for t in tokens[3:]],
        None,
    )


@register.tag("contentcache")
def do_contentcache(parser, token):
    return _parse(parser, token, ContentCacheNode, "endcontentcache")


@register.tag("shellcache")
def do_shellcache(parser, token):
    """``{% shellcache timeout name vary_on... %}``: as ``contentcache``, once for every page."""
    return _parse(parser, token, ShellCacheNode, "endshellcache")
