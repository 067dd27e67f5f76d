"""Read paths of the farmers' shop: the shop listing (filters, sorting), a product's detail, the
producer's other products, "in season this month", and how many units are left.

Each runs a fixed number of queries however many products there are: units left come from one
subquery on the live reservations, photos and their renditions in bulk, translations (English
names) in one query per page.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model

from orders.inventory import canonical_id
from orders.models import Reservation, ReservationKind
from orders.reservations import local_today
from orders.selectors import claimed_units
from orders.stay_suggestions import StaySuggestion
from town.cache import cached
from town.images import complete_renditions
from town.models import Village
from town.page_cache import cached_showing, shows, stock_tag

from .models import MONTH_NAMES, Product, ProductPhoto, ShippingRate, ShopPage
from .traceability import TRACE_FIELDS, certification_badges, latest_batch_of, with_trace

CARD_RENDITIONS = ("fill-360x360|format-webp", "fill-720x720|format-webp")
DETAIL_RENDITIONS = ("fill-720x540|format-webp", "fill-1080x810|format-webp", "fill-160x160|format-webp")
OTHER_PRODUCTS = 4

SORTS = {
    "new": ("-created_at", "-pk"),
    "price_asc": ("price_fen", "pk"),
    "price_desc": ("-price_fen", "-pk"),
    "name": ("name", "pk"),
    # The published reviews' average (reviews.services keeps it); unrated products last.
    "rating": (F("rating_average").desc(nulls_last=True), "-review_count", "-pk"),
}
SORT_LABELS = {
    "new": _("Newest"),
    "price_asc": _("Price: low to high"),
    "price_desc": _("Price: high to low"),
    "name": _("Name"),
    "rating": _("Best rated first"),
}


def default_language():
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def canonical_product(pk, *, live_only=False):
    """The default-locale product for ``pk`` (a translation's pk maps to its original), or None.

    ``live_only``: None unless it is on sale (published, verified producer)."""
    original = canonical_id(ReservationKind.PRODUCT, pk)
    if original is None:
        return None
    product = Product.objects.select_related("producer", "producer__user").filter(pk=original).first()
    if product is None:
        return None
    if live_only and not (product.live and product.producer.is_verified):
        return None
    return product


def _claimed_subquery(now):
    claimed = (
        Reservation.objects.live(now)
        .filter(kind=ReservationKind.PRODUCT, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(claimed, output_field=IntegerField()), Value(0))


def _live_originals():
    """Live default-locale products of verified producers (no stock read)."""
    return Product.objects.live().filter(locale__language_code=default_language())


def on_sale(*, now=None):
    """Live default-locale products of verified producers, each with ``units_left``."""
    now = now or timezone.now()
    # Listings of any product's stock: a cached page showing one is cleared by any product sale.
    shows(stock_tag(ReservationKind.PRODUCT))
    return _live_originals().annotate(units_left=F("stock") - _claimed_subquery(now))


def _units_left(ids, now=None):
    """{pk: units left} of these products, cached pages showing them told first (``shows``)."""
    if not ids:
        return {}
    # Before the query that reads the stock and the claims (town.page_cache.shows).
    shows(*(stock_tag(ReservationKind.PRODUCT, pk) for pk in ids))
    rows = Product.objects.filter(pk__in=ids).annotate(
        units_left=F("stock") - _claimed_subquery(now or timezone.now())
    )
    return dict(rows.values_list("pk", "units_left"))


def _photos_prefetch(renditions):
    """Photos with their images (joined), then the images' renditions: two queries."""
    rendition_model = get_image_model().get_rendition_model()
    renditions = Prefetch(
        "image__renditions",
        queryset=rendition_model.objects.filter(filter_spec__in=renditions),
        to_attr="prefetched_renditions",  # where Wagtail's get_rendition looks first
    )
    photos = ProductPhoto.objects.order_by("sort_order", "pk").select_related("image")
    return Prefetch("photos", queryset=photos.prefetch_related(renditions))


@dataclass
class ShopFilters:
    category: str = ""
    village: Village | None = None
    in_season_month: int | None = None
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    sort: str = "new"


def shop_products(filters: ShopFilters | None = None, *, now=None):
    """The shop listing as a lazy queryset (paginate it; each page is one query plus photos)."""
    filters = filters or ShopFilters()
    qs = on_sale(now=now).select_related("producer", "origin_village", "producer__village")
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.village is not None:
        # Either the farm's village or the produce's origin (a translation's village matches too).
        key = filters.village.translation_key
        qs = qs.filter(Q(origin_village__translation_key=key) | Q(producer__village__translation_key=key))
    if filters.in_season_month:
        qs = qs.annotate(in_month=F("season_mask").bitand(1 << filters.in_season_month)).filter(
            in_month__gt=0
        )
    if filters.price_min_fen is not None:
        qs = qs.filter(price_fen__gte=filters.price_min_fen)
    if filters.price_max_fen is not None:
        qs = qs.filter(price_fen__lte=filters.price_max_fen)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["new"])).prefetch_related(
        _photos_prefetch(CARD_RENDITIONS)
    )


def localize_products(products, language=None, *, photos=True):
    """Give each product ``display_name``/``display_description`` and each village ``display_village``
    in ``language`` (the active one by default): one query for products (the villages' names come
    from the content cache), none in the default language. ``photos``: set ``first_photo`` too
    (from the prefetched photos)."""
    from django.utils import translation

    products = list(products)
    language = get_supported_content_language_variant(language or translation.get_language())
    names = {}
    villages = {}
    if language != default_language() and products:
        names = {
            key: (name, description)
            for key, name, description in Product.objects.filter(
                locale__language_code=language, translation_key__in={p.translation_key for p in products}
            ).values_list("translation_key", "name", "description")
        }
        villages = village_names(language)
    for product in products:
        name, description = names.get(product.translation_key, (product.name, product.description))
        product.display_name = name
        product.display_description = description
        village = product.origin_village or product.producer.village
        product.display_village = villages.get(village.translation_key, village.name) if village else ""
        if photos:
            product.first_photo = next(iter(product.photos.all()), None)
        product.sold_out = getattr(product, "units_left", product.stock) <= 0
    return products


def village_names(language):
    """{village translation key: its name in ``language``}: a village filter's or a card's words,
    read once per content version (villages are what editors keep)."""
    villages = Village.objects.filter(locale__language_code=language)
    return cached(("village-names", language), lambda: dict(villages.values_list("translation_key", "name")))


def product_detail(pk, *, now=None, photos=True):
    """A live product with its photos (detail renditions, unless ``photos`` is False: the
    product page fetches them with the other products', ``with_photos``) and producer, or None."""
    products = on_sale(now=now).select_related(
        "producer", "producer__village", "origin_village", "producer__photo"
    )
    # Its latest batch and certificates in the same query (subqueries), for the trace line.
    products = with_trace(products, now=now)
    if photos:
        products = products.prefetch_related(_photos_prefetch(DETAIL_RENDITIONS))
    return products.filter(pk=pk).first()


def product_for_page(pk, language, *, now=None):
    """The product page's product in ``language`` with ``units_left`` (None when it is not on sale),
    without its photos, batches or others (the page's cached fragments read those on a miss:
    ``product_page_details``, ``other_products_for_page``).

    Remembered by ``cached_showing``: an edit of the product, its producer or its translation
    (rows of this app) moves the pages version, and a sale, a cancellation or the farmer's new
    figure bumps the product's stock tag, so the next request reads it again."""

    def compute():
        # Before the query that reads the stock and the claims (town.page_cache.shows).
        shows(stock_tag(ReservationKind.PRODUCT, pk))
        product = (
            _live_originals()
            .annotate(units_left=F("stock") - _claimed_subquery(now or timezone.now()))
            .select_related("producer", "producer__village", "origin_village")
            .filter(pk=pk)
            .first()
        )
        if product is not None:
            localize_products([product], language, photos=False)
        return product

    return cached_showing(("product-page", pk, language), compute)


def product_page_details(product, language, *, now=None):
    """What the product page's cached fragments show besides the product's own fields, read only
    when one of them misses: its photos with their renditions, the latest
    batch, the certificate badges valid today and the months in season."""
    today = local_today(now)
    with_photos([product], DETAIL_RENDITIONS)
    trace = with_trace(Product.objects.filter(pk=product.pk), now=now)
    for name, value in trace.values(*TRACE_FIELDS).first().items():
        setattr(product, name, value)
    villages = village_names(language) if language != default_language() else None
    return {
        "photos": list(product.photos.all()),
        "latest_batch": latest_batch_of(product, villages),
        "certifications": certification_badges(product),
        "season_months": month_names(product.months_in_season),
        "in_season": product.in_season(today.month),
    }


def other_products_for_page(product, language, *, limit=OTHER_PRODUCTS, now=None):
    """The producer's other products on sale for the product page's cards, newest first, in
    ``language``, with card photos and ``sold_out``: what is left of each is read after telling
    the page it shows them (their own stock tags, not every sale of the shop)."""
    others = list(
        _live_originals()
        .filter(producer_id=product.producer_id)
        .exclude(pk=product.pk)
        .select_related("producer", "origin_village", "producer__village")
        .order_by("-created_at", "-pk")[:limit]
    )
    units = _units_left([other.pk for other in others], now)
    for other in others:
        other.units_left = units.get(other.pk, 0)
    with_photos(others, CARD_RENDITIONS)
    return localize_products(others, language)


def shipping_rates():
    """[(region, fee in fen)]: staff's table, remembered until a rate is saved (rows of this app
    move the pages version)."""
    rates = ShippingRate.objects.values_list("region", "fee_fen")
    return cached_showing(("shipping-rates",), lambda: list(rates))


def with_photos(products, renditions=DETAIL_RENDITIONS + CARD_RENDITIONS):
    """Photos, images and renditions of all ``products`` in two queries, whatever their number
    (the product page's own product and the producer's others at once)."""
    prefetch_related_objects(list(products), _photos_prefetch(renditions))


def units_left(product, *, now=None):
    return max(0, product.stock - claimed_units(ReservationKind.PRODUCT, [product.pk], now=now)[product.pk])


def shop_page(language=None):
    """The live shop page in ``language`` (else the default one), or None."""
    from django.utils import translation

    language = get_supported_content_language_variant(language or translation.get_language())
    pages = list(
        ShopPage.objects.live()
        .filter(locale__language_code__in={language, default_language()})
        .select_related("locale")
    )
    for page in pages:
        if page.locale.language_code == language:
            return page
    return pages[0] if pages else None


def product_url(product, shop=None, request=None):
    """The product's address under the shop page ("" when there is no live shop page)."""
    shop = shop or shop_page()
    if shop is None:
        return ""
    base = shop.get_url(request) or shop.url or ""
    return f"{base}{product.pk}/{product.slug}/"


def in_season_products(month, limit=8, *, now=None, language=None):
    """Live products in season in ``month`` (1-12), newest first, with card photos, localized
    names (``display_name``) and ``url``: for "This month in the town"."""
    qs = shop_products(ShopFilters(in_season_month=month), now=now)[:limit]
    products = localize_products(qs, language)
    # Complete before the month is cached with them (town.images.complete_renditions).
    complete_renditions((p.first_photo.image for p in products if p.first_photo), *CARD_RENDITIONS)
    shop = shop_page(language) if products else None
    for product in products:
        product.url = product_url(product, shop)
    return products


def month_names(months):
    """The months in season as the visitor reads them: 全年 ("All year") for all twelve, not a
    list of twelve month names."""
    months = [m for m in months or [] if m in MONTH_NAMES]
    if set(months) >= set(MONTH_NAMES):
        return [str(_("All year"))]
    return [str(MONTH_NAMES[m]) for m in months]


DELIVERY_SUGGESTIONS = 4


def deliveries_during(first_day, last_day, *, days, locale=None, now=None):
    """Produce that can be brought to the visitor's homestay on a day of their stay: in season
    in the month the stay starts, with units left; a fixed number of queries."""
    language = locale.language_code if locale is not None else None
    qs = shop_products(ShopFilters(in_season_month=first_day.month), now=now).filter(
        offers_homestay_delivery=True, units_left__gt=0
    )[:DELIVERY_SUGGESTIONS]
    products = localize_products(qs, language)
    shop = shop_page(language) if products else None
    # The shop's address once (each get_url may look up the site again).
    base = (shop.get_url() or shop.url or "") if shop is not None else None
    return [
        StaySuggestion(
            kind="product",
            label=_("Produce"),
            title=product.display_name,
            url=f"{base}{product.pk}/{product.slug}/" if base else "",
            day=None,
            detail=_("Delivered to your homestay on a day you choose"),
        )
        for product in products
    ]
