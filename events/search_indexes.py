"""What search finds among festivals: published event pages (see search/registry.py)."""


from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from search.registry import FacetLabelled, SearchKind, month_facets, register
from town import months

from .models import EventPage


def event_months(start, end) -> list[int]:
    """Calendar months (1–12, Asia/Shanghai) an event runs in."""
    return months.months_between(timezone.localdate(start), timezone.localdate(end))


def _venue_location(page):
    venue = page.venue
    if venue is None or venue.latitude is None or venue.longitude is None:
        return None
    return float(venue.latitude), float(venue.longitude)


def _village(page):
    village = page.venue.village if page.venue else None
    return FacetLabelled(village.slug, village.name) if village else None


register(
    SearchKind(
        kind="event",
        model=EventPage,
        label=_("Events"),
        queryset=lambda: EventPage.objects.live().public(),
        select_related=("venue__village", "image"),
        text=lambda page: [
            page.title,
            page.intro or page.search_description,
            page.organiser,
            page.venue.title if page.venue else "",
            page.body,
            page.programme,
        ],
        facets=lambda page: {
            "village": _village(page),
            "in_season": month_facets(event_months(page.start, page.end)),
        },
        location=_venue_location,
        image=lambda page: page.image,
        order=20,
    )
)
