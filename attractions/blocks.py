"""A StreamField block editors can place on a page: the featured experiences with their next
free time (computed when the page is shown, never cached)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from town.translations import active_locale

from .selectors import featured_experiences


class FeaturedExperiencesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=200, required=False)
    count = blocks.IntegerBlock(label=_("How many"), min_value=1, max_value=12, default=3)

    class Meta:
        icon = "date"
        label = _("Featured experiences")
        template = "attractions/includes/featured_experiences.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = (parent_context or {}).get("page")
        locale_id = page.locale_id if page is not None else active_locale().pk
        context["experiences"] = featured_experiences(locale_id, limit=value.get("count") or 3)
        context["heading"] = value.get("heading")
        return context
