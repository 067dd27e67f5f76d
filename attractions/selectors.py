"""Read paths for attractions and routes: listings, nearby places, route stops — each a fixed
number of queries however many pages there are."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Page

from home.cache import cached, is_page_number, lazy_value, query_key

from . import geo
from .models import AttractionCategory, AttractionPage, Village

CARD_RENDITION = "fill-600x400|format-webp"
HERO_RENDITION = "fill-1200x675|format-webp"
GALLERY_RENDITION = "fill-400x300|format-webp"
ATTRACTIONS_PER_PAGE = 12


def with_image_renditions(queryset, *filters, field="image"):
    """Join ``field`` (an image FK) and prefetch just the given renditions: one extra query per list.

    Wagtail's image tags look in the image's prefetched ``renditions`` before asking the database."""
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec__in=filters)
    return queryset.select_related(field).prefetch_related(
        Prefetch(f"{field}__renditions", queryset=renditions)
    )


def private_pages_q():
    """The restriction filter for ``.exclude()``: one query, then cached until the next edit."""
    return cached(("private-pages",), Page.objects.private_q)


def locale_villages(locale_id):
    """The villages in a locale (the filter's choices): one query, then cached until the next edit."""
    return cached(("villages", locale_id), lambda: list(Village.objects.filter(locale_id=locale_id)))


def localized_pages(pages, locale_id, model=AttractionPage):
    """Map each page's pk to its live translation in ``locale`` (one query), falling back to the page.

    Stops and venues point at the page chosen when the route or event was written, usually the
    Chinese one; a reader of the English page should land on the English attraction."""
    pages = [page for page in pages if page is not None]
    result = {page.pk: page for page in pages}
    foreign = [page for page in pages if page.locale_id != locale_id]
    if not foreign:
        return result
    translations = {
        page.translation_key: page
        for page in model.objects.live()
        .filter(locale_id=locale_id, translation_key__in=[page.translation_key for page in foreign])
        .select_related("village")
    }
    for page in foreign:
        result[page.pk] = translations.get(page.translation_key, page)
    return result


def localize_villages(pages, locale_id, villages=None):
    """Set ``village_shown`` on each page: its village in ``locale_id`` when there is one.

    A translated page keeps pointing at the village chosen in Chinese; the English reader should
    read the English name. ``villages`` (already in ``locale_id``) saves the query."""
    foreign = {p.village.translation_key for p in pages if p.village_id and p.village.locale_id != locale_id}
    by_key = {}
    if foreign:
        if villages is None:
            villages = Village.objects.filter(locale_id=locale_id, translation_key__in=foreign)
        by_key = {village.translation_key: village for village in villages}
    for page in pages:
        village = page.village if page.village_id else None
        page.village_shown = by_key.get(village.translation_key, village) if village else None
    return pages


class AttractionFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *AttractionCategory.choices]
        self.fields["village"].choices = [("", _("All villages"))] + [(v.slug, v.name) for v in villages]
        self.fields["category"].error_messages["invalid_choice"] = _(
            "There is no category “%(value)s”; showing all attractions."
        )
        self.fields["village"].error_messages["invalid_choice"] = _(
            "There is no village “%(value)s”; showing all attractions."
        )


INDEX_LISTING = ("filter_form", "filter_errors", "attractions", "page_obj", "villages", "routes")


def attraction_index_context(index_page, request):
    """The index's listing, computed on first use (not at all when its cached fragment hits), and
    ``listing_key``: the validated filters that fragment is cached under (None: not cached)."""
    listing = lazy_value(lambda: attraction_listing(index_page, request))
    village_slugs = lazy_value(lambda: {village.slug for village in locale_villages(index_page.locale_id)})
    categories = {value for value, _label in AttractionCategory.choices}
    return {
        **{name: lazy_value(lambda name=name: listing()[name]) for name in INDEX_LISTING},
        "listing_key": query_key(
            request,
            category=lambda value: value == "" or value in categories,
            village=lambda value: value == "" or value in village_slugs(),
            page=is_page_number,
        ),
    }


def attraction_listing(index_page, request):
    """Cards for the index's live, public attractions, filtered by category and village."""
    villages = locale_villages(index_page.locale_id)
    form = AttractionFilterForm(request.GET or None, villages=villages)
    private = private_pages_q()
    attractions = (
        AttractionPage.objects.live()
        .exclude(private)
        .child_of(index_page)
        .select_related("village")
        .order_by("path")
    )
    filter_errors = []
    if form.is_bound:
        # Each filter stands on its own: a bad village does not cancel a good category.
        form.is_valid()
        data = form.cleaned_data
        if data.get("category"):
            attractions = attractions.filter(category=data["category"])
        if data.get("village"):
            # By translation key, so English pages still pointing at the Chinese village match too.
            chosen = next(village for village in villages if village.slug == data["village"])
            attractions = attractions.filter(village__translation_key=chosen.translation_key)
        filter_errors = [error for errors in form.errors.values() for error in errors]
    attractions = with_image_renditions(attractions, CARD_RENDITION)
    page_obj = Paginator(attractions, ATTRACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    localize_villages(page_obj.object_list, index_page.locale_id, villages)
    return {
        "filter_form": form,
        "filter_errors": filter_errors,
        "attractions": page_obj.object_list,
        "page_obj": page_obj,
        "villages": villages,
        "routes": routes_for_index(index_page, private),
    }


def routes_for_index(index_page, private):
    from .models import RoutePage

    routes = RoutePage.objects.live().exclude(private).child_of(index_page).order_by("path")
    return with_image_renditions(routes, CARD_RENDITION)


def nearby_attractions(page, limit=4):
    """The ``limit`` nearest other live, public attractions in the page's locale, closest first.

    Distances are computed in Python over one small (id, lat, lng) query, then the chosen pages
    come in one query with their images: two queries plus images, whatever the count."""
    if not page.has_coordinates or limit <= 0:
        return []
    points = (
        AttractionPage.objects.live()
        .public()
        .filter(locale_id=page.locale_id, latitude__isnull=False, longitude__isnull=False)
        .exclude(pk=page.pk)
        .values_list("pk", "latitude", "longitude")
    )
    distances = sorted(
        (geo.haversine_km(page.latitude, page.longitude, lat, lng), pk) for pk, lat, lng in points
    )[:limit]
    if not distances:
        return []
    pages = with_image_renditions(
        AttractionPage.objects.filter(pk__in=[pk for _, pk in distances]).select_related("village"),
        CARD_RENDITION,
    ).in_bulk()
    nearest = []
    for distance, pk in distances:
        place = pages[pk]
        place.distance_km = round(distance, 1)
        nearest.append(place)
    return localize_villages(nearest, page.locale_id)


def attraction_page_context(page, request):
    """What the attraction page shows, each computed on first use (so not at all when the
    template's cached fragments hit)."""
    hero = lazy_value(lambda: page.image.get_rendition(HERO_RENDITION) if page.image_id else None)

    def structured_data():
        image_url = request.build_absolute_uri(hero().url) if hero() else None
        return page.structured_data(request, image_url=image_url)

    return {
        "hero": hero,
        "village_shown": lazy_value(lambda: localize_villages([page], page.locale_id)[0].village_shown),
        "structured_data": lazy_value(structured_data),
        "gallery": lazy_value(
            lambda: list(with_image_renditions(page.gallery_images.all(), GALLERY_RENDITION))
        ),
        "nearby": lazy_value(page.nearby),
        "tags": lazy_value(lambda: list(page.tags.all())),
        "markers": [marker] if (marker := page.map_marker()) else [],
        # The structured data holds absolute addresses: its fragment varies with scheme and host.
        "absolute_root": request.build_absolute_uri("/"),
    }


def route_stops(route):
    """The route's stops in order, each with ``place``: the live attraction in the route's language."""
    if "stops" in getattr(route, "_cluster_related_objects", {}):
        # A preview: the edited stops live only in memory.
        stops = [stop for stop in route.stops.all() if stop.attraction_id]
    else:
        stops = list(
            route.stops.filter(attraction__live=True).select_related("attraction", "attraction__village")
        )
    places = localized_pages([stop.attraction for stop in stops], route.locale_id)
    for stop in stops:
        stop.place = places[stop.attraction.pk]
    stops = [stop for stop in stops if stop.place.live]
    localize_villages([stop.place for stop in stops], route.locale_id)
    return stops
