"""Read paths for the home page: featured attractions, upcoming events and the hero pictures.

Each is a fixed number of queries however many items there are: the pictures and their
renditions come in bulk, and pages chosen in Chinese are swapped for their live translation in the
reader's language in one query.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Page

from town.cache import cached, lazy_value
from town.sites import find_site

# The site's sections: key, label, then the page types that can stand for it (the first live one
# wins). A type whose app has not been written yet is skipped, and so is its link.
NAV_SECTIONS = [
    ("attractions", _("Attractions"), ["attractions.AttractionIndexPage"]),
    ("homestays", _("Homestays"), ["homestays.HomestayIndexPage"]),
    ("tours", _("Tours"), ["attractions.ExperienceIndexPage", "experiences.ExperienceIndexPage"]),
    ("events", _("Events"), ["events.EventIndexPage"]),
    ("study", _("Study tours"), ["groups.StudyProgrammeIndexPage"]),
    ("shop", _("Shop"), ["products.ShopPage", "products.ShopIndexPage", "products.ProductIndexPage"]),
]

CARD_RENDITIONS = ("fill-360x240|format-webp", "fill-720x480|format-webp")
HERO_RENDITIONS = ("fill-720x480|format-webp", "fill-1280x720|format-webp", "fill-1920x1080|format-webp")
SEASON_RENDITIONS = ("fill-720x480|format-webp",)
OG_RENDITION = "fill-1200x630|format-jpeg"  # link previews (includes/seo.html): JPEG, which every app reads


def get_model(label):
    """The model for ``label`` ("app.Model"), or None while that app has not built it yet."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def images_with_renditions(*filters):
    return get_image_model().objects.prefetch_renditions(*filters)


def localize(pages, locale_id, model=Page):
    """Each page replaced by its live translation in the locale ``locale_id`` where one exists.

    One query (none when every page is already in that locale)."""
    pages = [page for page in pages if page is not None]
    foreign = {page.translation_key for page in pages if page.locale_id != locale_id}
    if not foreign:
        return pages
    translations = {
        page.translation_key: page
        for page in model.objects.live().filter(locale_id=locale_id, translation_key__in=foreign)
    }
    return [translations.get(p.translation_key, p) if p.locale_id != locale_id else p for p in pages]


def featured_attractions(home_page):
    """The chosen attractions, live and public, in the home page's language, with card renditions."""
    model = get_model("attractions.AttractionPage")
    if model is None:
        return []
    chosen = list(
        home_page.featured_attractions.order_by("sort_order").values_list(
            "attraction_id", "attraction__translation_key"
        )
    )
    if not chosen:
        return []
    pages = list(
        model.objects.live()
        .public()
        .filter(translation_key__in={key for _, key in chosen})
        .select_related("village")
        .prefetch_related(Prefetch("image", queryset=images_with_renditions(*CARD_RENDITIONS)))
    )
    # The page in the reader's language, else the one that was chosen (if it is live).
    by_key = {}
    for page in pages:
        if page.locale_id == home_page.locale_id:
            by_key[page.translation_key] = page
    fallback = {page.pk: page for page in pages}
    result = []
    for pk, key in chosen:
        page = by_key.get(key) or fallback.get(pk)
        if page is not None and page not in result:
            result.append(page)
    return result


def upcoming_events(home_page, limit):
    """The next ``limit`` live, public events (not yet over) in the home page's language."""
    model = get_model("events.EventPage")
    if model is None or limit <= 0:
        return []
    events = list(
        model.objects.live()
        .public()
        .filter(locale_id=home_page.locale_id, end__gte=timezone.now())
        .order_by("start", "pk")
        .select_related("venue")
        .prefetch_related(Prefetch("image", queryset=images_with_renditions(*CARD_RENDITIONS)))[:limit]
    )
    venues = {}
    foreign_venues = [e.venue for e in events if e.venue_id and e.venue.locale_id != home_page.locale_id]
    if foreign_venues:
        venue_model = get_model("attractions.AttractionPage")
        localized = localize(foreign_venues, home_page.locale_id, model=venue_model)
        venues = {original.pk: page for original, page in zip(foreign_venues, localized, strict=True)}
    for event in events:
        event.place = venues.get(event.venue_id, event.venue) if event.venue_id else None
    return events


def hero_images(home_page):
    """Hero and season pictures with their renditions: two queries for both."""
    ids = {pk for pk in (home_page.hero_image_id, home_page.season_image_id) if pk}
    if not ids:
        return None, None
    renditions = (*HERO_RENDITIONS, *SEASON_RENDITIONS, OG_RENDITION)
    images = {image.pk: image for image in images_with_renditions(*renditions).filter(pk__in=ids)}
    return images.get(home_page.hero_image_id), images.get(home_page.season_image_id)


def linked_pages(home_page):
    """The hero button's and the season box's pages, in the reader's language (two queries at most)."""
    ids = {pk for pk in (home_page.hero_cta_page_id, home_page.season_page_id) if pk}
    if not ids:
        return None, None
    chosen = list(Page.objects.live().filter(pk__in=ids))
    localized = dict(zip([p.pk for p in chosen], localize(chosen, home_page.locale_id), strict=True))
    return localized.get(home_page.hero_cta_page_id), localized.get(home_page.season_page_id)


def content_language():
    try:
        return get_supported_content_language_variant(translation.get_language())
    except LookupError:
        return settings.LANGUAGE_CODE


def section_links(request=None):
    """The live section index pages (attractions, homestays, ...) in the reader's language, as
    ``[{"key", "title", "url"}]`` in menu order: one query, cached until the next publish and
    remembered on the request."""
    language = content_language()
    remembered = getattr(request, "_tianyuan_sections", None)
    if remembered is not None and remembered[0] == language:
        return remembered[1]
    site = find_site(request)
    links = cached(
        ("sections", site.pk if site else None, language, translation.get_language()),
        lambda: _section_links(request, language),
        in_process=True,
    )
    if request is not None:
        request._tianyuan_sections = (language, links)
    return links


def _section_links(request, language):
    sections = []
    for key, label, labels in NAV_SECTIONS:
        models = [model for model in (get_model(name) for name in labels) if model is not None]
        if models:
            sections.append((key, label, models))
    # get_for_models is served from memory after its first call.
    content_types = ContentType.objects.get_for_models(*[m for _, _, models in sections for m in models])
    type_ids = {model: content_types[model].pk for _, _, models in sections for model in models}

    links = []
    if type_ids:
        pages = (
            Page.objects.live()
            .filter(content_type_id__in=set(type_ids.values()), locale__language_code=language)
            .only("id", "path", "depth", "url_path", "title", "slug", "content_type_id", "locale_id")
            .order_by("path")
        )
        first_by_type = {}
        for page in pages:
            first_by_type.setdefault(page.content_type_id, page)
        for key, label, models in sections:
            page = next((first_by_type[type_ids[m]] for m in models if type_ids[m] in first_by_type), None)
            url = page.get_url(request) if page is not None else None
            if url:
                links.append({"key": key, "title": str(label), "url": url})
    return links


def home_page_context(home_page, request):
    """The home page's listings, each computed on first use: when the template's cached
    fragments hit, none of them runs a query."""
    images = lazy_value(lambda: hero_images(home_page))
    links = lazy_value(lambda: linked_pages(home_page))
    sections = lazy_value(lambda: {link["key"]: link["url"] for link in section_links(request)})
    return {
        "hero_image": lazy_value(lambda: images()[0]),
        "season_image": lazy_value(lambda: images()[1]),
        "hero_link": lazy_value(lambda: links()[0]),
        "season_link": lazy_value(lambda: links()[1]),
        "featured": lazy_value(lambda: featured_attractions(home_page)),
        "upcoming_events": lazy_value(lambda: upcoming_events(home_page, home_page.upcoming_events_count)),
        "events_url": lazy_value(lambda: sections().get("events")),
        "attractions_url": lazy_value(lambda: sections().get("attractions")),
        "plan_links": lazy_value(lambda: plan_links(home_page, request)),
        # Upcoming events change as days pass: their fragment is keyed by the date too.
        "today": timezone.localdate(),
    }


def plan_links(home_page, request):
    """The "plan your visit" links as (title, url), pages in the reader's language (one query)."""
    values = [block.value for block in home_page.plan_your_visit if block.block_type == "link"]
    pages = [value.get("page") for value in values if value.get("page")]
    localized = dict(zip([p.pk for p in pages], localize(pages, home_page.locale_id), strict=True))
    links = []
    for value in values:
        page = value.get("page")
        if page is not None:
            page = localized.get(page.pk, page)
            if not page.live:
                continue
            url = page.get_url(request)
        else:
            url = value.get("external_url")
        if url:
            links.append({"title": value["title"], "url": url, "external": page is None})
    return links
