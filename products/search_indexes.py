"""What search finds in the shop: products on sale (published, verified producer) — never drafts
or products waiting in moderation (see search/registry.py)."""

from django.utils.translation import gettext_lazy as _

from search.registry import FacetLabelled, SearchKind, month_facets, register

from .models import Producer, Product
from .selectors import product_url, shop_page


def _url(product):
    language = product.locale.language_code if product.locale_id else None
    return product_url(product, shop=shop_page(language))


def _village(product):
    village = product.origin_village or product.producer.village
    return FacetLabelled(village.slug, village.name) if village else None


def _facets(product):
    return {
        "village": _village(product),
        "category": FacetLabelled(product.category, str(product.get_category_display())),
        "price_fen": product.price_fen,
        "in_season": month_facets(product.months_in_season or []),
    }


register(
    SearchKind(
        kind="product",
        model=Product,
        label=_("Farm produce"),
        queryset=lambda: Product.objects.live(),
        select_related=("producer__village", "origin_village", "locale"),
        prefetch_related=("photos__image",),
        text=lambda product: [
            product.name,
            product.description,
            str(product.get_category_display()),
            product.producer.display_name,
            _village(product).label if _village(product) else "",
        ],
        facets=_facets,
        url=_url,
        image=lambda product: next((p.image for p in product.photos.all()), None),
        order=15,
        split_names=True,  # 蜂蜜 and 蜜 find 茶花蜜 and 百花蜜
        depends_on={Producer: lambda producer: Product.objects.filter(producer=producer)},
    )
)
