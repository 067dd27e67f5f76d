"""sitemap.xml: every live, public page in every language.

Wagtail's own sitemap walks only the site's root page, which is the Chinese home page; the English
pages live under its translation, a sibling at the top of the tree, so they would be left out.
"""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class PageSitemap(Sitemap):
    def items(self):
        root = self.get_wagtail_site().root_page
        trees = Q()
        for home in Page.objects.filter(translation_key=root.translation_key):
            trees |= Page.objects.descendant_of_q(home, inclusive=True)
        return (
            Page.objects.live().public().filter(trees).order_by("path").defer_streamfields().specific()
        )
