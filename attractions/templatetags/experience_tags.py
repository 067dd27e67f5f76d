"""``{% featured_experiences page %}``: the featured experiences of the page's language, as cards
with their next free time (never cached: seats change with every booking)."""

from django import template

from ..selectors import featured_experiences as featured_experiences_for

register = template.Library()


@register.inclusion_tag("attractions/includes/featured_experiences.html", takes_context=True)
def featured_experiences(context, page, limit=6):
    return {
        "experiences": featured_experiences_for(page.locale_id, limit=limit),
        "request": context.get("request"),
    }
