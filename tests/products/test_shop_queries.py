"""The shop's pages run a fixed number of queries, however many products there are (issue 21,
item 2: warm, the visits before made the renditions and filled the content cache)."""

import datetime

import pytest

from products.models import Batch, Certification
from tests.factories.products import ProducerFactory, ProductFactory, ProductPhotoFactory
from tests.factories.town import VillageFactory
from tests.pages import WARM_BUDGET, context_value, warm_queries

pytestmark = pytest.mark.django_db

# Pinned (a change here must be a deliberate one). Both pages: the one query that serves the page
# (the shop; the site, the locale and the way to the shop are remembered: home/routing.py; the
# view restrictions, the shop's locale and the filter form's villages come from the content cache)
# and nothing more: the listing and the product page's fragments (product, photos, batches,
# certificates, other products) and what is left of each are remembered by
# town.page_cache.cached_showing until a product row, its stock or what editors keep changes
# (tests/products/test_page_freshness.py).
LISTING_QUERIES = 1
DETAIL_QUERIES = 1
# In English too: the products' English names are read with the rest.
ENGLISH_EXTRA = 0
assert max(LISTING_QUERIES, DETAIL_QUERIES) + ENGLISH_EXTRA <= WARM_BUDGET


def add_products(n, **kwargs):
    products = []
    for _i in range(n):
        product = ProductFactory(**kwargs)
        ProductPhotoFactory(product=product)
        products.append(product)
    return products


def in_english(products, en_locale):
    for product in products:
        translation = product.copy_for_translation(en_locale)
        translation.name = f"Free-range eggs {product.pk}"
        translation.save()


@pytest.mark.parametrize("count", [2, 50])
def test_listing_query_count_does_not_grow_with_products(client, shop, english_shop, en_locale, count):
    producer = ProducerFactory(village=VillageFactory())
    in_english(add_products(count, producer=producer), en_locale)

    for url, budget in ((shop.url, LISTING_QUERIES), (english_shop.url, LISTING_QUERIES + ENGLISH_EXTRA)):
        queries, response = warm_queries(client, url)
        assert context_value(response, "result_count") == count
        assert response.text.count('class="card__image product-card__image"') == min(count, 12)
        assert queries == budget, url
    assert "Free-range eggs" in response.text


def test_filtered_listing_query_count_matches(client, shop):
    add_products(10, category="tea")
    params = {"category": "tea", "in_season": "on", "price_min": 1, "sort": "price_asc"}
    queries, response = warm_queries(client, shop.url, params)
    assert context_value(response, "result_count") == 10
    assert queries == LISTING_QUERIES


def test_listing_filtered_by_village_finds_it_among_the_cached_choices(client, shop):
    village, elsewhere = VillageFactory(name="青溪村"), VillageFactory(name="桃源村")
    add_products(2, producer=ProducerFactory(village=village))
    add_products(1, producer=ProducerFactory(village=elsewhere))
    queries, response = warm_queries(client, shop.url, {"village": village.pk})
    assert context_value(response, "result_count") == 2
    assert queries == LISTING_QUERIES
    assert client.get(shop.url, {"village": 999_999}).status_code == 400  # not a village: said so


@pytest.mark.parametrize("count", [2, 50])
def test_detail_query_count_does_not_grow_with_photos_and_other_products(
    client, shop, english_shop, en_locale, count
):
    producer = ProducerFactory(village=VillageFactory())
    product = ProductFactory(producer=producer)
    for _i in range(min(count, 6)):  # an editor adds at most a handful of photos
        ProductPhotoFactory(product=product)
    others = add_products(count - 1, producer=producer)
    in_english([product, *others], en_locale)
    # Its batches and certificates come with the product's own query (subqueries).
    for day in range(1, min(count, 6) + 1):
        Batch.objects.create(
            product=product, harvested_on=datetime.date(2020, 1, day), quantity=10, village=producer.village
        )
    Certification.objects.create(
        producer=producer,
        kind="organic",
        number="1",
        issuer="x",
        valid_from=datetime.date(2000, 1, 1),
        valid_until=datetime.date(2999, 12, 31),
    )

    for url, budget in (
        (f"{shop.url}{product.pk}/", DETAIL_QUERIES),
        (f"{english_shop.url}{product.pk}/", DETAIL_QUERIES + ENGLISH_EXTRA),
    ):
        queries, response = warm_queries(client, url)
        assert queries == budget, url
        # The cached fragments show them (computed now only to compare).
        assert response.text.count('class="card product-card') == min(count - 1, 4)
        assert response.text.count("<figure>") == min(count, 6)
        assert 'data-kind="organic"' in response.text
        details = context_value(response, "details")
        assert [badge.kind for badge in details["certifications"]] == ["organic"]
        assert details["latest_batch"].harvested_on == datetime.date(2020, 1, min(count, 6))
    assert f"Free-range eggs {product.pk}" in response.text
