"""``{% contentcache timeout name vary_on... %}``: a page fragment cached until the next publish.

Wagtail's ``{% wagtailpagecache %}`` (the page's own cache key and the site, skipped in previews)
plus the content version and the active language, so a publish anywhere invalidates every
fragment at once (see ``town.cache``). A ``vary_on`` value of None means "do not cache this
request" (an unknown filter value, say): the fragment renders as if the tag were not there.
"""

from django import template
from django.template import TemplateSyntaxError, Variable
from django.utils import translation
from wagtail.templatetags.wagtail_cache import WagtailPageCacheNode

from town.cache import content_version

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
            return super().render(context)


@register.tag("contentcache")
def do_contentcache(parser, token):
    """Parsed as Django's ``{% cache %}`` (without ``using=``)."""
    nodelist = parser.parse(("endcontentcache",))
    parser.delete_first_token()
    tokens = token.split_contents()
    if len(tokens) < 3:
        raise TemplateSyntaxError(f"'{tokens[0]}' tag requires at least 2 arguments.")
    return ContentCacheNode(
        nodelist,
        parser.compile_filter(tokens[1]),
        tokens[2],
        [parser.compile_filter(t) for t in tokens[3:]],
        None,
    )
