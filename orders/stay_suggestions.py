"""What fits a visitor's stay: the tours, festival days and produce deliveries on the days of the
stays in their basket ("during your stay" on the basket page).

The core names no kind: a kind that has something to suggest registers a provider from its own
app (``register_stay_suggestions`` in its ``AppConfig.ready``), and the stays are the basket's
lines of the kinds that say they are stays (``LineKind.is_a_stay``). Each provider answers for
all the stays at once in a fixed number of queries, so the basket page's count does not grow with
what the town offers.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

from .lines import stay_kinds


@dataclass(frozen=True)
class Stay:
    """Nights in the town: from ``check_in`` to ``check_out`` (the day of leaving counts too, for
    a morning tour or a delivery before leaving)."""

    check_in: datetime.date
    check_out: datetime.date

    def covers(self, day):
        return self.check_in <= day <= self.check_out


@dataclass(frozen=True)
class StaySuggestion:
    kind: str  # the registering kind, for the styling ("tour", "event", "product")
    label: str  # what it is, in the visitor's words ("Tour"): the core names no kind
    title: str
    url: str
    day: datetime.date | None  # the day it happens; None: any day of the stay (a delivery)
    detail: str = ""


_providers = []


def _active_locale():
    """The active language's locale, else the default one: one query either way (Wagtail's
    ``Locale.get_active`` takes a second when the active language has no locale)."""
    codes = [
        get_supported_content_language_variant(code)
        for code in (translation.get_language() or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
    ]
    found = {locale.language_code: locale for locale in Locale.objects.filter(language_code__in=codes)}
    return found.get(codes[0]) or found.get(codes[1])


def register_stay_suggestions(provider):
    """``provider(first_day, last_day, *, days, locale, now)`` -> [StaySuggestion] on the days
    ``days`` (a set of dates between first_day and last_day)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def stays_of(lines, *, today):
    """The stays among basket ``lines`` (already loaded: no query) not over yet, in date order."""
    kinds = set(stay_kinds())
    found = {
        Stay(max(line.start_date, today), line.end_date)
        for line in lines
        if line.kind in kinds and line.start_date and line.end_date and line.end_date >= today
    }
    return sorted(found, key=lambda stay: (stay.check_in, stay.check_out))


def during_your_stay(stays, *, locale=None, now=None):
    """What the registered kinds suggest for ``stays``, by day (deliveries, on any day, last), in
    ``locale`` (default: the active one); no query without stays."""
    if not stays:
        return []
    locale = locale or _active_locale()
    first = min(stay.check_in for stay in stays)
    last = max(stay.check_out for stay in stays)
    days = {
        first + datetime.timedelta(days=n)
        for n in range((last - first).days + 1)
        if any(stay.covers(first + datetime.timedelta(days=n)) for stay in stays)
    }
    found = []
    for provider in _providers:
        found.extend(
            item
            for item in provider(first, last, days=days, locale=locale, now=now)
            if item.day is None or item.day in days
        )
    return sorted(found, key=lambda item: (item.day is None, item.day or last, item.kind, item.title))
