"""What search finds in the shop: products on sale (published, verified producer) — never drafts
or products waiting in moderation (see search/registry.py)."""

from django.utils.translation import gettext_lazy as _

from orders.reservations import local_today
from search.registry import FacetLabelled, SearchKind, month_facets, register

from .models import Certification, CertificationKind, Producer, Product
from .selectors import product_url, shop_page


def _url(product):
    language = product.locale.language_code if product.locale_id else None
    return product_url(product, shop=shop_page(language))


def _village(product):
    village = product.origin_village or product.producer.village
    return FacetLabelled(village.slug, village.name) if village else None


def _certifications(product):
    """The kinds of certificate covering ``product`` valid today (at indexing: a nightly
    re-index drops expired ones), from the producer's prefetched certificates."""
    today = local_today()
    labels = {}
    for certification in product.producer.certifications.all():
        if certification.product_id in (None, product.pk) and certification.is_valid_on(today):
            kind = certification.kind
            labels.setdefault(kind, str(CertificationKind(kind).label))
    return [FacetLabelled(kind, label) for kind, label in sorted(labels.items())]


def _facets(product):
    return {
        "certification": _certifications(product),
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
        prefetch_related=("photos__image", "producer__certifications"),
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
        depends_on={
            Producer: lambda producer: Product.objects.filter(producer=producer),
            Certification: lambda certification: Product.objects.filter(
                producer_id=certification.producer_id
            ),
        },
    )
)
