"""Read paths for attractions and routes: listings, nearby places, route stops — each a fixed
number of queries however many pages there are."""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.images import get_image_model
from wagtail.models import Page

from orders.models import ReservationKind
from orders.reservations import local_today
from orders.selectors import claimed_units
from orders.stay_suggestions import StaySuggestion
from town import geo, maps, spots
from town.cache import cached, is_page_number, lazy_value, query_key
from town.images import complete_renditions
from town.months import in_season, months_between
from town.translations import active_locale, default_locale, localize_villages, villages_in

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
GALLERY_LARGE_RENDITION = "fill-800x600|format-webp"
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
    return villages_in(locale_id)


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


OWN_MAP_KM = 0.2


def body_without_own_map(page):
    """The page's body blocks, less any map of the page's own place: the page draws that map
    itself, and a second copy of it only pushes the text down."""
    if not page.has_coordinates:
        return list(page.body)
    blocks = []
    for block in page.body:
        if block.block_type == "map_point":
            value = block.value
            distance = geo.haversine_km(page.latitude, page.longitude, value["latitude"], value["longitude"])
            if distance < OWN_MAP_KM:
                continue
        blocks.append(block)
    return blocks


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
            lambda: list(
                with_image_renditions(page.gallery_images.all(), GALLERY_RENDITION, GALLERY_LARGE_RENDITION)
            )
        ),
        "body_blocks": lazy_value(lambda: body_without_own_map(page)),
        "map_app_url": geo.map_app_url(page.latitude, page.longitude, page.title)
        if page.has_coordinates
        else None,
        "nearby": lazy_value(page.nearby),
        "tags": lazy_value(lambda: list(page.tags.all())),
        # The place's pin, then the facilities near it (toilets, first aid…) that other apps pin.
        "markers": lazy_value(lambda: with_map_layers([marker] if (marker := page.map_marker()) else [])),
        # "Book entry" when the spot takes timed entry (town.spots: the gates app answers).
        "entry": lazy_value(lambda: spots.entry_for(page)),
        # The structured data holds absolute addresses: its fragment varies with scheme and host.
        "absolute_root": request.build_absolute_uri("/"),
    }


def with_map_layers(markers):
    """``markers`` followed by what other apps pin near them (town.maps: the scenic area's
    facilities), for the places' maps."""
    return markers + maps.markers_near((marker["lat"], marker["lng"]) for marker in markers)


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
    # Visitors read places and distances, not coordinates: each stop says how far it is from the
    # one before and links to the visitor's map app.
    previous = None
    for stop in stops:
        place = stop.place
        stop.map_url, stop.from_previous_km = None, None
        if not place.has_coordinates:
            continue
        stop.map_url = geo.map_app_url(place.latitude, place.longitude, place.title)
        if previous is not None:
            km = geo.haversine_km(previous.latitude, previous.longitude, place.latitude, place.longitude)
            stop.from_previous_km = round(km, 1)
        previous = place
    return stops


def route_app_url(stops):
    """Directions through the route's stops in the visitor's map app (None under two places)."""
    return geo.route_app_url((stop.place.latitude, stop.place.longitude, stop.place.title) for stop in stops)


# --- experiences (tours) and their slots ------------------------------------------------------


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
    locale = locale or active_locale()
    # Only experiences in season on those days (a slot left from before its season was set is
    # not promoted either: no honey-peach picking in December).
    in_month = in_season(
        ExperiencePage.objects.live().exclude(private_pages_q()).filter(locale=locale),
        months_between(start_date, end_date),
    )
    pages = list(with_image_renditions(in_month, CARD_RENDITION).order_by("path"))
    if not pages:
        return []
    complete_renditions((page.image for page in pages), CARD_RENDITION)
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
    default = default_locale()
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
    complete_renditions((page.image for page in pages), CARD_RENDITION)
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


# --- the tour page's date picker --------------------------------------------------------------

SCHEDULE_DAYS = 400  # as far ahead as slots are ever generated (attractions.schedules.MAX_DAYS)


class BadTourDate(ValueError):
    """?date= that is not a day a visitor can open the tour on; the message says why."""


def parse_tour_date(raw, today):
    """The day asked for in ?date=YYYY-MM-DD: None when absent; BadTourDate when it is no date
    or lies in the past."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        # Only YYYY-MM-DD: fromisoformat alone would also take 20270109 or 2027-W01-1.
        if len(raw) != 10:
            raise ValueError(raw)
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadTourDate(
            _("“%(value)s” is not a date; dates look like %(example)s.")
            % {"value": raw[:20], "example": today.isoformat()}
        ) from None
    if day < today:
        raise BadTourDate(_("%(date)s has passed; here are the days still to come.") % {"date": raw})
    return day


@dataclass
class TourDay:
    """One day of a tour's schedule: its open slots (free or full), in start order."""

    date: datetime.date
    slots: list

    @property
    def seats_left(self):
        return sum(slot.seats_left for slot in self.slots)

    @property
    def free_slots(self):
        return [slot for slot in self.slots if not slot.sold_out]

    @property
    def has_free(self):
        return self.seats_left > 0


def tour_schedule(owner_id, today, *, now=None):
    """{day: TourDay} for every open slot of the experience ``owner_id`` from now to the end of
    its generated schedule: two queries however many slots and bookings."""
    found = slots_with_seats([owner_id], today, today + datetime.timedelta(days=SCHEDULE_DAYS), now=now)
    days = {}
    for slot in found[owner_id]:
        day = slot.starts_at.date()
        days.setdefault(day, TourDay(day, [])).slots.append(slot)
    return days


def _add_month(month_start, months):
    index = month_start.year * 12 + month_start.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def tour_month(days, month_start, today):
    """The month of the date picker: weeks Monday..Sunday of cells {date, day (TourDay or None),
    past}, None outside the month."""
    next_month = _add_month(month_start, 1)
    cells = [None] * month_start.weekday()
    day = month_start
    while day < next_month:
        cells.append({"date": day, "day": days.get(day), "past": day < today})
        day += datetime.timedelta(days=1)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _month_param(raw):
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return None


def tour_picker(page, request, *, now=None):
    """The experience page's date picker and the chosen day's times.

    ?date=YYYY-MM-DD opens the tour on that day (a link can point there); without it the first
    day with free seats is chosen. ?month=YYYY-MM turns the picker's month. A bad date is said in
    ``date_error`` (the page answers 400 for one that is no date at all)."""
    today = local_today(now)
    owner = canonical_experience_ids([page])[page.pk]
    days = tour_schedule(owner, today, now=now)
    free_days = sorted(day for day, tour_day in days.items() if tour_day.has_free)
    date_error, date_invalid, chosen, full_day = None, False, None, None
    try:
        asked = parse_tour_date(request.GET.get("date"), today)
    except BadTourDate as exc:
        asked, date_error, date_invalid = None, str(exc), True
    if asked is not None:
        chosen = days.get(asked)
        if chosen is not None and not chosen.has_free:
            full_day = chosen  # its slots' waiting lists are offered instead
        if chosen is None or not chosen.has_free:
            date_error = (
                _("%(date)s is full; please choose another day.")
                if chosen is not None
                else _("There is no tour on %(date)s; please choose another day.")
            ) % {"date": asked.isoformat()}
            chosen = None
    if chosen is None and free_days and asked is None:
        chosen = days[free_days[0]]
    first_month = today.replace(day=1)
    last_month = max(days).replace(day=1) if days else first_month
    month = _month_param(request.GET.get("month"))
    if month is None:
        shown = asked or (chosen.date if chosen else (free_days[0] if free_days else today))
        month = shown.replace(day=1)
    month = min(max(month, first_month), last_month)
    previous_month = _add_month(month, -1)
    following_month = _add_month(month, 1)
    return {
        "tour_days": days,
        "free_days": free_days,
        "chosen_day": chosen,
        "chosen_date": chosen.date if chosen else asked,
        "full_day": full_day,
        "date_error": date_error,
        "date_invalid": date_invalid,
        "picker_month": month,
        "picker_weeks": tour_month(days, month, today),
        "picker_previous": previous_month if previous_month >= first_month else None,
        "picker_next": following_month if following_month <= last_month else None,
        "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }


_DATE_PARAM = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_PARAM = re.compile(r"\d{4}-\d{1,2}")


def tour_booking_key(request):
    """(?date=, ?month=) as the booking section is cached under them, or None for a value of
    another shape: that request renders it uncached (its message echoes what was typed)."""
    date = (request.GET.get("date") or "").strip()
    month = request.GET.get("month") or ""
    if (date and not _DATE_PARAM.fullmatch(date)) or (month and not _MONTH_PARAM.fullmatch(month)):
        return None
    return date, month


def picker_stale_at(picker):
    """When the picker stops being true by itself: the start of its first slot (it then drops
    out, and its day's places with it); None without slots."""
    for day in picker["tour_days"].values():
        return day.slots[0].starts_at
    return None


def tour_date_invalid(request, *, now=None):
    """Whether ?date= cannot be opened (no date, or a past one: the page answers 400), known
    without reading the slots."""
    try:
        parse_tour_date(request.GET.get("date"), local_today(now))
    except BadTourDate:
        return True
    return False


def experience_page_context(page, request):
    """What an experience page shows: facts, prices, the date picker over the whole schedule
    with the chosen day's times (two queries for the slots however many there are and however
    many are booked; computed on first use, so not at all when the booking section's cached
    copy holds: ``attractions.templatetags.experience_tags.tour_booking``) and the booking form."""

    def meeting_point():
        if not page.meeting_point_id:
            return None
        points = AttractionPage.objects.live().select_related("village")
        point = points.filter(pk=page.meeting_point_id).first()
        if point is None:
            return None
        shown = localized_pages([point], page.locale_id)[point.pk]
        return localize_villages([shown], page.locale_id)[0]

    return {
        "hero": lazy_value(lambda: page.image.get_rendition(HERO_RENDITION) if page.image_id else None),
        "tour_picker": lazy_value(lambda: tour_picker(page, request)),
        "date_invalid": tour_date_invalid(request),
        "meeting_point_shown": lazy_value(meeting_point),
        "booking_form": ExperienceBookingForm(),
        "child_price_free": page.free_under_age > 0,
    }


TOUR_SUGGESTIONS = 6


def tours_during(first_day, last_day, *, days, locale=None, now=None):
    """The tours with free seats on the days of a stay, each on its first such day and linked to
    it (?date=): a fixed number of queries however many tours and slots."""
    pages = experiences_with_free_slots(
        first_day, last_day, limit=TOUR_SUGGESTIONS, locale=locale, now=now, slots_per_experience=200
    )
    found = []
    for page in pages:
        slot = next((slot for slot in page.free_slots if slot.starts_at.date() in days), None)
        if slot is None:
            continue
        day = slot.starts_at.date()
        found.append(
            StaySuggestion(
                kind="tour",
                label=_("Tour"),
                title=page.title,
                url=f"{page.url}?date={day.isoformat()}#book",
                day=day,
                detail=ngettext("%(time)s, %(n)d place left", "%(time)s, %(n)d places left", slot.seats_left)
                % {"time": date_format(slot.starts_at, "TIME_FORMAT"), "n": slot.seats_left},
            )
        )
    return found
