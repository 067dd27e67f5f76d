"""Read paths for attractions and routes: listings, nearby places, route stops — each a fixed
number of queries however many pages there are."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from orders.models import ReservationKind
from orders.reservations import local_today
from orders.selectors import claimed_units
from town import geo
from town.cache import cached, is_page_number, lazy_value, query_key
from town.models import Village
from town.months import in_season, months_between

from .forms import ExperienceBookingForm
from .models import (
    AttractionCategory,
    AttractionPage,
    ExperiencePage,
    RoutePage,
    TourSlot,
    TourSlotStatus,
)

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
    return cached(("villages", locale_id), lambda: list(Village.objects.in_locale(locale_id)))


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


INDEX_LISTING = (
    "filter_form",
    "filter_errors",
    "attractions",
    "page_obj",
    "villages",
    "routes",
    "experiences",
)


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


def index_experiences(index_page):
    # Cached with the listing: no seats here (they change with every booking; the page has them).
    return experience_cards(ExperiencePage.objects.child_of(index_page), with_slots=False)


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
        "experiences": index_experiences(index_page),
    }


def routes_for_index(index_page, private):
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


# --- experiences (tours) and their slots ------------------------------------------------------

NEXT_SLOTS_DAYS = 14
MAX_SLOTS_SHOWN = 40


@dataclass
class SlotView:
    """A bookable slot with what is left of it right now."""

    slot_id: int
    experience_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    seats_left: int

    @property
    def sold_out(self):
        return self.seats_left <= 0


def town_day_start(day):
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def slots_with_seats(experience_ids, start_date, end_date, *, now=None, only_free=False, limit=None):
    """{experience id: [SlotView]} for open slots starting on the local days [start_date, end_date]
    and after ``now``, in start order; two queries whatever the number of slots and bookings."""
    now = now or timezone.now()
    experience_ids = list(experience_ids)
    result = {pk: [] for pk in experience_ids}
    if not experience_ids or end_date < start_date:
        return result
    rows = list(
        TourSlot.objects.filter(
            experience_id__in=experience_ids,
            status=TourSlotStatus.OPEN,
            starts_at__gt=now,
            starts_at__gte=town_day_start(start_date),
            starts_at__lt=town_day_start(end_date + datetime.timedelta(days=1)),
        )
        .annotate(default_capacity=F("experience__capacity"))
        .order_by("starts_at", "pk")
        .values_list("pk", "experience_id", "starts_at", "ends_at", "capacity", "default_capacity")
    )
    claimed = claimed_units(ReservationKind.TOUR, [row[0] for row in rows], now=now) if rows else {}
    tz = ZoneInfo(settings.TIME_ZONE)
    for pk, experience_id, starts_at, ends_at, capacity, default_capacity in rows:
        capacity = default_capacity if capacity is None else capacity
        left = max(0, capacity - claimed.get(pk, 0))
        if only_free and left <= 0:
            continue
        slots = result[experience_id]
        if limit is not None and len(slots) >= limit:
            continue
        slots.append(
            SlotView(
                pk,
                experience_id,
                timezone.localtime(starts_at, tz),
                timezone.localtime(ends_at, tz),
                capacity,
                left,
            )
        )
    return result


def experiences_with_free_slots(
    start_date, end_date, limit=6, *, locale=None, now=None, slots_per_experience=5
):
    """Live, public experiences (in ``locale``, default: the active one) with at least one free slot
    on the days [start_date, end_date], soonest first; each page gets ``free_slots`` (SlotViews,
    at most ``slots_per_experience``) and ``next_free_slot``. A fixed number of queries."""
    locale = locale or Locale.get_active()
    # Only experiences in season on those days (a slot left from before its season was set is
    # not promoted either: no honey-peach picking in December).
    in_month = in_season(
        ExperiencePage.objects.live().exclude(private_pages_q()).filter(locale=locale),
        months_between(start_date, end_date),
    )
    pages = list(with_image_renditions(in_month, CARD_RENDITION).order_by("path"))
    if not pages:
        return []
    owners = canonical_experience_ids(pages)
    slots = slots_with_seats(
        set(owners.values()), start_date, end_date, now=now, only_free=True, limit=slots_per_experience
    )
    chosen = []
    for page in pages:
        page.free_slots = slots.get(owners[page.pk], [])
        if page.free_slots:
            page.next_free_slot = page.free_slots[0]
            chosen.append(page)
    chosen.sort(key=lambda page: (page.next_free_slot.starts_at, page.path))
    return chosen[:limit]


def canonical_experience_ids(pages):
    """{page pk: pk of the default-locale page that owns its slots}: at most two queries."""
    default = Locale.get_default()
    result = {page.pk: page.pk for page in pages if page.locale_id == default.pk}
    foreign = [page for page in pages if page.locale_id != default.pk]
    if foreign:
        originals = dict(
            ExperiencePage.objects.filter(
                locale=default, translation_key__in=[page.translation_key for page in foreign]
            ).values_list("translation_key", "pk")
        )
        for page in foreign:
            result[page.pk] = originals.get(page.translation_key, page.pk)
    return result


CARD_SLOT_DAYS = 30


def experience_cards(pages, *, limit=None, now=None, with_slots=True):
    """Live, public experiences of ``pages`` (a queryset) as cards, featured first: images
    prefetched and ``next_free_slot`` (a SlotView or None, within 30 days) set. A fixed number of
    queries however many there are."""
    pages = pages.live().exclude(private_pages_q()).order_by("-featured", "path")
    pages = list(
        with_image_renditions(pages, CARD_RENDITION)[:limit]
        if limit
        else with_image_renditions(pages, CARD_RENDITION)
    )
    if not pages or not with_slots:
        return pages
    owners = canonical_experience_ids(pages)
    today = local_today(now)
    slots = slots_with_seats(
        set(owners.values()),
        today,
        today + datetime.timedelta(days=CARD_SLOT_DAYS),
        now=now,
        only_free=True,
        limit=1,
    )
    for page in pages:
        found = slots.get(owners[page.pk])
        page.next_free_slot = found[0] if found else None
    return pages


def featured_experiences(locale_id, *, limit=6, now=None):
    """The featured experiences of a locale, as cards (see ``experience_cards``). Which pages are
    featured is cached until the next publish, so a site without any costs no query."""

    def featured_ids():
        pages = ExperiencePage.objects.live().exclude(private_pages_q())
        return list(pages.filter(locale_id=locale_id, featured=True).values_list("pk", flat=True))

    ids = cached(("featured-experiences", locale_id), featured_ids)
    if not ids:
        return []
    return experience_cards(ExperiencePage.objects.filter(pk__in=ids), limit=limit, now=now)


def experience_page_context(page, request):
    """What an experience page shows: facts, prices, the next free slots (two queries for the
    slots however many there are and however many are booked) and the booking form."""

    def next_slots():
        owner = canonical_experience_ids([page])[page.pk]
        today = local_today()
        found = slots_with_seats(
            [owner], today, today + datetime.timedelta(days=NEXT_SLOTS_DAYS), only_free=True
        )
        return found[owner][:MAX_SLOTS_SHOWN]

    def meeting_point():
        if not page.meeting_point_id:
            return None
        points = AttractionPage.objects.live().select_related("village")
        point = points.filter(pk=page.meeting_point_id).first()
        return localized_pages([point], page.locale_id)[point.pk] if point else None

    return {
        "hero": lazy_value(lambda: page.image.get_rendition(HERO_RENDITION) if page.image_id else None),
        "next_slots": lazy_value(next_slots),
        "meeting_point_shown": lazy_value(meeting_point),
        "booking_form": ExperienceBookingForm(),
        "child_price_free": page.free_under_age > 0,
    }
