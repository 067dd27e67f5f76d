"""``{% featured_experiences page %}``: the featured experiences of the page's language, as cards
with their next free time: remembered with the seats they show (``town.page_cache``), so the
next booking of one of their tours clears them.

``{% tour_booking %}``: the experience page's date picker and the chosen day's times, remembered
with the seats they show in the same way; the visitor's CSRF token is put in on every request."""

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from town.page_cache import cached_showing
from town.templatetags.showing_cache import for_this_visitor, render_for_everyone

from ..selectors import featured_experiences as featured_experiences_for
from ..selectors import picker_stale_at, tour_booking_key

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


@register.simple_tag(takes_context=True)
def tour_booking(context):
    """The booking section of an experience page (context: ``page``, ``request``,
    ``booking_form`` and the lazy ``tour_picker``).

    Cached per page, language, ?date= and ?month= until a booking of the tour (its stock tags),
    an edit (the content version), the town's next day or its first slot's start, with the
    empty form (the same for every visitor); the visitor's CSRF token is put in on each request.
    Rendered uncached for a posted form (its errors and choices are the visitor's) or a
    ?date= or ?month= of another shape."""
    page, request, form = context["page"], context["request"], context["booking_form"]

    def compute():
        picker = context["tour_picker"]()
        section = context.template.engine.get_template("attractions/includes/tour_booking.html")
        with context.push(picker):
            return render_for_everyone(context, section.render), picker_stale_at(picker)

    key = None if form.is_bound else tour_booking_key(request)
    if key is None:
        html, _stale_at = compute()
    else:
        html, _stale_at = cached_showing(
            ("tour-booking", page.pk, get_language(), page.get_url(request), *key),
            compute,
            fresh=lambda value: value[1] is None or timezone.now() < value[1],
        )
    mine = for_this_visitor(context, html)
    if mine is None:  # the view asked for no CSRF token: the section as it renders live
        with context.push(context["tour_picker"]()):
            return context.template.engine.get_template("attractions/includes/tour_booking.html").render(
                context
            )
    return mine
