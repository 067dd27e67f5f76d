"""``{% featured_experiences page %}``: the featured experiences of the page's language, as cards
with their next free time: remembered with the seats they show (``town.page_cache``), so the
next booking of one of their tours clears them."""

from django import template

from town.page_cache import cached_showing

from ..selectors import featured_experiences as featured_experiences_for

register = template.Library()


@register.inclusion_tag("attractions/includes/featured_experiences.html", takes_context=True)
def featured_experiences(context, page, limit=6):
    return {
        "experiences": cached_showing(
            ("featured-experience-cards", page.locale_id, limit),
            lambda: featured_experiences_for(page.locale_id, limit=limit),
        ),
        "request": context.get("request"),
    }
