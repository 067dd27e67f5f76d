"""What search finds among places: attraction pages, routes and experiences (see search/registry.py)."""


from django.utils.translation import gettext_lazy as _

from search.registry import FacetLabelled, SearchKind, month_facets, register
from town.models import Village
from town.months import months_between

from .models import AttractionPage, ExperiencePage, RoutePage


def village_facet(village):
    return FacetLabelled(village.slug, village.name) if village else None


def attraction_location(page):
    if page.latitude is None or page.longitude is None:
        return None
    return float(page.latitude), float(page.longitude)


def schedule_months(page) -> list[int]:
    """Months (1–12) in which the experience runs: those of its schedules (open-ended: all year),
    within its months in season when it has them (no peach picking found for December)."""
    months = set()
    for schedule in page.schedules.all():
        if schedule.valid_from is None or schedule.valid_until is None:
            months = set(range(1, 13))
            break
        months.update(months_between(schedule.valid_from, schedule.valid_until))
    if page.months_in_season:
        months &= set(page.months_in_season)
    return sorted(months)


def experience_location(page):
    place = page.meeting_point
    if place is None or place.latitude is None or place.longitude is None:
        return None
    return float(place.latitude), float(place.longitude)


def _villages_of(village):
    """A renamed village re-indexes its attractions (their village facet label)."""
    return AttractionPage.objects.filter(village=village)


register(
    SearchKind(
        kind="attraction",
        model=AttractionPage,
        label=_("Attractions"),
        queryset=lambda: AttractionPage.objects.live().public(),
        select_related=("village", "image"),
        prefetch_related=("tags",),
        text=lambda page: [
            page.title,
            page.intro or page.search_description,
            page.address,
            page.village.name if page.village else "",
            page.get_category_display(),
            " ".join(tag.name for tag in page.tags.all()),
            page.body,
        ],
        facets=lambda page: {
            "village": village_facet(page.village),
            "category": FacetLabelled(page.category, str(page.get_category_display())),
        },
        location=attraction_location,
        image=lambda page: page.image,
        order=30,
        depends_on={Village: _villages_of},
    )
)

register(
    SearchKind(
        kind="route",
        model=RoutePage,
        label=_("Routes"),
        queryset=lambda: RoutePage.objects.live().public(),
        select_related=("image",),
        prefetch_related=("stops__attraction",),
        text=lambda page: [
            page.title,
            page.intro or page.search_description,
            page.suggested_duration,
            " ".join(stop.attraction.title for stop in page.stops.all()),
            " ".join(stop.note for stop in page.stops.all()),
            page.body,
        ],
        image=lambda page: page.image,
        order=40,
    )
)

register(
    SearchKind(
        kind="experience",
        model=ExperiencePage,
        label=_("Tours and experiences"),
        queryset=lambda: ExperiencePage.objects.live().public(),
        select_related=("village", "meeting_point", "image"),
        prefetch_related=("schedules",),
        text=lambda page: [
            page.title,
            page.intro or page.search_description,
            page.get_kind_display(),
            page.village.name if page.village else "",
            page.meeting_point.title if page.meeting_point else "",
            page.what_to_bring,
            page.body,
        ],
        facets=lambda page: {
            "village": village_facet(page.village),
            "category": FacetLabelled(page.kind, str(page.get_kind_display())),
            "price_fen": page.price_adult_fen or None,
            "in_season": month_facets(schedule_months(page)),
        },
        location=experience_location,
        image=lambda page: page.image,
        order=5,
    )
)
