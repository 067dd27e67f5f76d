"""``{% season_this_month limit as season %}``: tours with free places, festivals and produce of
the current month (``events.season``), for the home page's "This month in the town" block."""

from django import template
from django.utils import timezone

from events.season import in_season

register = template.Library()


@register.simple_tag
def season_this_month(limit=None):
    today = timezone.localdate()
    return in_season(today.year, today.month, limit=limit or 3)
