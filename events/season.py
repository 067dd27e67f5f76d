""" "This month in the town": what is in season in a month — tours with free places, festivals,
produce — gathered from the apps that have them.

Tours come from ``attractions.selectors.experiences_with_free_slots`` and produce from
``products.selectors.in_season_products``. A fixed number of queries whatever the number of
items.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attractions.selectors import CARD_RENDITION, experiences_with_free_slots, with_image_renditions
from products.selectors import in_season_products
from town.images import complete_renditions
from town.translations import active_locale

from . import selectors
from .selectors import BadMonth, attach_venues, published_events

DEFAULT_LIMIT = 6


@dataclass
class Season:
    year: int
    month: int
    first_day: datetime.date
    last_day: datetime.date
    experiences: list = field(default_factory=list)
    festivals: list = field(default_factory=list)
    products: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def previous(self):
        return shift_month(self.year, self.month, -1)

    @property
    def next(self):
        return shift_month(self.year, self.month, 1)

    @property
    def is_empty(self):
        return not (self.experiences or self.festivals or self.products)


def shift_month(year, month, by):
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def parse_month(value, today=None):
    """``"2026-12"`` → (2026, 12); empty → this month (town time). ``BadMonth`` otherwise."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    if not value:
        return today.year, today.month
    match = selectors.MONTH_RE.match(value)
    if match is None:
        raise selectors.month_format_error(value)
    return check_month(int(match[1]), int(match[2]))


def check_month(year, month):
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise BadMonth(_("There is no such month to show."))
    return year, month


def in_season(year, month, *, limit=DEFAULT_LIMIT, locale=None, now=None) -> Season:
    """Everything worth a trip in ``year``-``month`` in the active language: tours with free
    places from today (or the first of the month) on, festivals running that month, produce in
    season. Months that are over show festivals and produce but no tours to book."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    locale = locale or active_locale()
    first_day = datetime.date(year, month, 1)
    last_day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    season = Season(year, month, first_day, last_day)

    if last_day >= today:
        season.experiences = experiences_with_free_slots(
            max(first_day, today), last_day, limit, locale=locale, now=now
        )

    tz = timezone.get_default_timezone()
    month_start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz)
    month_end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    festivals = published_events(locale).filter(start__lt=month_end, end__gte=month_start)
    festivals = with_image_renditions(festivals, CARD_RENDITION).order_by("start", "pk")[:limit]
    season.festivals = attach_venues(list(festivals), locale.pk)
    complete_renditions((event.image for event in season.festivals), CARD_RENDITION)

    season.products = list(in_season_products(month, limit, now=now, language=translation.get_language()))
    return season
