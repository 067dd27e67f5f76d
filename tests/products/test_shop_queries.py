"""The shop's pages run a fixed number of queries, however many products there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.products import ProducerFactory, ProductFactory, ProductPhotoFactory

pytestmark = pytest.mark.django_db

# Pinned (a change here must be a deliberate one). Listing: 6 to serve the page (site, locale,
# routing, the page's locale; view restrictions come from the cache) + count + products (units
# left in a subquery) + photos + images + renditions + the filter form's villages. Detail: the
# same page serving + the product, the other products, then photos, images, renditions of all of
# them at once + shipping regions.
LISTING_QUERIES = 12
DETAIL_QUERIES = 12


def add_products(n, **kwargs):
    for _i in range(n):
        product = ProductFactory(**kwargs)
        ProductPhotoFactory(product=product)


def warm(client, url, data=None):
    """Render twice: the first makes renditions (saving the images bumps the content version),
    the second fills the site-wide caches (menus, footer) the measured request then reads."""
    for _i in range(2):
        assert client.get(url, data or {}).status_code == 200


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_listing_query_count_is_pinned_at_10_and_100_products(client, shop):
    add_products(10)
    warm(client, shop.url)
    ten, response = count_queries(client, shop.url)
    assert response.context["result_count"] == 10
    add_products(90)
    warm(client, shop.url, {"page": 2})  # renditions of the new products' images
    warm(client, shop.url)
    hundred, response = count_queries(client, shop.url)
    assert response.context["result_count"] == 100
    assert ten == hundred == LISTING_QUERIES


def test_filtered_listing_query_count_matches(client, shop):
    add_products(10, category="tea")
    params = {"category": "tea", "in_season": "on", "price_min": 1, "sort": "price_asc"}
    warm(client, shop.url, params)
    queries, response = count_queries(client, shop.url, params)
    assert response.context["result_count"] == 10
    assert queries == LISTING_QUERIES


def test_detail_query_count_is_pinned_whatever_the_photos_and_other_products(client, shop):
    producer = ProducerFactory()
    product = ProductFactory(producer=producer)
    ProductPhotoFactory(product=product)
    add_products(1, producer=producer)
    url = product.get_absolute_url()
    warm(client, url)
    few, _response = count_queries(client, url)
    for _i in range(4):
        ProductPhotoFactory(product=product)
    add_products(10, producer=producer)
    warm(client, url)
    many, response = count_queries(client, url)
    assert len(response.context["other_products"]) == 4
    assert few == many == DETAIL_QUERIES
