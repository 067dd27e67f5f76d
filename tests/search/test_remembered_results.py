"""Search results are remembered (town.page_cache.cached_showing) until the index changes: every
write to the entries bumps the index's stock tag (search.indexing), so a change shows on the
very next search even when it moves neither the content nor the pages version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from products.models import Product
from search.indexing import rebuild, remove_object, update_object
from search.service import SearchRequest, search
from tests.factories.products import ProductFactory, ShopPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


def titles(q, **kwargs):
    return [hit.title for hit in search(SearchRequest(q=q, **kwargs)).hits]


@pytest.fixture
def shop(home_page):
    return ShopPageFactory(parent=home_page)


@pytest.fixture
def tea(shop):
    return ProductFactory(name="高山云雾茶", category="tea", price_fen=12800)


def test_the_same_search_again_reads_nothing(tea):
    assert titles("云雾茶") == ["高山云雾茶"]
    with CaptureQueriesContext(connection) as queries:
        assert titles("云雾茶") == ["高山云雾茶"]
    assert len(queries) == 0


def test_a_row_re_indexed_without_any_signal_shows_on_the_next_search(tea):
    assert titles("云雾茶") == ["高山云雾茶"]
    # update() sends no signal: neither the content nor the pages version moves, only the index.
    Product.objects.filter(pk=tea.pk).update(name="高山云雾茶（明前）", price_fen=16800)
    update_object(Product.objects.get(pk=tea.pk))
    [hit] = search(SearchRequest(q="云雾茶")).hits
    assert (hit.title, hit.price_fen) == ("高山云雾茶（明前）", 16800)


def test_a_removed_entry_is_gone_from_the_next_search(tea):
    assert titles("云雾茶") == ["高山云雾茶"]
    remove_object(tea)
    assert titles("云雾茶") == []


def test_a_rebuild_shows_on_the_next_search(tea):
    assert titles("云雾茶") == ["高山云雾茶"]
    Product.objects.filter(pk=tea.pk).update(name="高山白茶")
    rebuild()
    assert titles("云雾茶") == ["高山白茶"]  # found now through 茶 alone (search.backends.database)


def test_each_page_filter_and_language_is_remembered_apart(shop):
    for n in range(3):
        ProductFactory(name=f"云雾茶{n}号", category="tea")
    first = titles("云雾茶", per_page=2)
    second = titles("云雾茶", per_page=2, page=2)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert titles("云雾茶", kinds=["event"]) == []
    with translation.override("zh-hans"):
        chinese = search(SearchRequest(q="不存在的词")).message
    with translation.override("en"):
        english = search(SearchRequest(q="不存在的词", language="en")).message
    assert "Nothing found" in english
    assert chinese != english
