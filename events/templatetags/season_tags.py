"""``{% season_this_month limit as season %}``: tours with free places, festivals and produce of
the current month (``events.season``), for the home page's "This month in the town" block."""

from django import template
from django.utils import timezone, translation

from events.season import in_season
from town.page_cache import cached_showing

register = template.Library()


@register.simple_tag
def season_this_month(limit=None):
    today = timezone.localdate()
    limit = limit or 3
    # Remembered with the stock it shows (town.page_cache): it was 42 % of a home page request.
    return cached_showing(
        ("season", today.year, today.month, limit, translation.get_language()),
        lambda: in_season(today.year, today.month, limit=limit),
    )
