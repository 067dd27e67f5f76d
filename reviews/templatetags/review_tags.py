"""Reviews on other apps' pages: the "Write a review" links of "my trips" and a thing's published
reviews (its rating: ``town``'s ``rating_tags``). The places' own apps never import reviews;
their templates load these."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def mark_reviewable(context, orders):
    """{% mark_reviewable orders %}: sets ``review_state`` ("write", "written" or "") on each of the
    orders' (prefetched) lines, for orders/includes/order_lines.html."""
    lines = [line for order in orders for line in order.lines.all()]
    states = selectors.review_states(lines, context["request"].user)
    for line in lines:
        line.review_state = states.get(line.pk, "")
    return ""


@register.inclusion_tag("reviews/includes/reviews.html", takes_context=True)
def reviews_of(context, homestay=None, experience=None, product=None):
    """{% reviews_of homestay=page %}: the published reviews and the replies (one query)."""
    thing = homestay or experience or product
    found = (
        selectors.published_reviews(homestay=homestay, experience=experience, product=product)
        if thing.review_count
        else []
    )
    # Pages have a title, products a name: the photos' alt text names the thing either way.
    name = getattr(thing, "title", None) or getattr(thing, "name", "")
    return {"reviews": found, "thing": thing, "thing_name": name, "request": context.get("request")}
