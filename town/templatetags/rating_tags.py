"""{% rating thing %}: the published reviews' average and count kept on a homestay, experience or
product (``town.ratings``), for cards and pages; nothing while no review is published."""

from django import template

register = template.Library()


@register.inclusion_tag("town/includes/rating.html")
def rating(thing, compact=False):
    return {
        "count": getattr(thing, "review_count", 0),
        "average": getattr(thing, "rating_average", None),
        "compact": compact,
    }
