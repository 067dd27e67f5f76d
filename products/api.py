"""JSON API of the shop: live products with filters (django-ninja). Never exposes the producers'
staff-only fields (supported household, notes) — the output schemas simply do not have them.
Product lines go into the basket through ``POST /api/v1/basket/lines`` (orders.api)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from orders.reservations import local_today
from town.models import Village

from . import selectors
from .models import ProductCategory

router = Router(tags=["products"])
MAX_LIMIT = 100


class ProductQuery(Schema):
    category: ProductCategory | None = None
    village_id: int | None = Field(None, ge=1)
    in_season: bool = False
    price_min_fen: int | None = Field(None, ge=0)
    price_max_fen: int | None = Field(None, ge=0)
    sort: str = Field("new", pattern="^(new|price_asc|price_desc|name)$")
    limit: int = Field(24, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class ProducerOut(Schema):
    id: int
    display_name: str
    story: str
    village: str


class ProductOut(Schema):
    id: int
    name: str
    description: str
    category: str
    unit: str
    price_fen: int
    currency: str = "CNY"
    units_left: int
    sold_out: bool
    months_in_season: list[int]
    village: str
    video_url: str
    delivery_options: list[str]
    producer: ProducerOut
    photo_url: str | None
    url: str


class ProductListOut(Schema):
    count: int
    results: list[ProductOut]


class ErrorOut(Schema):
    detail: str


def _out(product, request, shop):
    photo = product.first_photo
    rendition = photo.image.get_rendition("fill-720x720|format-webp") if photo else None
    producer = product.producer
    return {
        "id": product.pk,
        "name": product.display_name,
        "description": product.display_description,
        "category": product.category,
        "unit": product.unit,
        "price_fen": product.price_fen,
        "units_left": max(0, product.units_left),
        "sold_out": product.sold_out,
        "months_in_season": product.months_in_season or [],
        "village": product.display_village,
        "video_url": product.video_url,
        "delivery_options": product.delivery_options,
        "producer": {
            "id": producer.pk,
            "display_name": producer.display_name,
            "story": producer.story,
            "village": product.display_village,
        },
        "photo_url": request.build_absolute_uri(rendition.url) if rendition else None,
        "url": request.build_absolute_uri(selectors.product_url(product, shop)) if shop else "",
    }


@router.get("", response={200: ProductListOut, 404: ErrorOut}, summary="Live products, with filters")
def list_products(request, query: Query[ProductQuery]):
    village = None
    if query.village_id is not None:
        village = Village.objects.filter(pk=query.village_id).first()
        if village is None:
            raise Http404(_("This village does not exist."))
    low, high = query.price_min_fen, query.price_max_fen
    if low is not None and high is not None and high < low:
        raise ValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ["query", "price_max_fen"],
                    "msg": str(_("The maximum price must not be below the minimum.")),
                }
            ]
        )
    filters = selectors.ShopFilters(
        category=query.category or "",
        village=village,
        in_season_month=local_today().month if query.in_season else None,
        price_min_fen=query.price_min_fen,
        price_max_fen=query.price_max_fen,
        sort=query.sort,
    )
    qs = selectors.shop_products(filters)
    count = qs.count()
    products = selectors.localize_products(qs[query.offset : query.offset + query.limit])
    shop = selectors.shop_page() if products else None
    return {"count": count, "results": [_out(p, request, shop) for p in products]}


@router.get("/{product_id}", response={200: ProductOut, 404: ErrorOut}, summary="One live product")
def get_product(request, product_id: int):
    product = selectors.product_detail(product_id)
    if product is None:
        raise Http404(_("This product is not on sale."))
    [product] = selectors.localize_products([product])
    return _out(product, request, selectors.shop_page())
