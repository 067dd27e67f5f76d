"""Only live, public, moderated content is ever found: drafts, unpublished pages, private pages
and products waiting in moderation never come back, and a later change shows at once."""

import pytest
from wagtail.models import PageViewRestriction

from search.indexing import rebuild
from search.models import SearchEntry
from search.service import SearchRequest, search
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.home import StandardPageFactory
from tests.factories.products import ProductFactory, ShopPageFactory
from tests.factories.town import VillageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


def titles(q, **kwargs):
    return [hit.title for hit in search(SearchRequest(q=q, **kwargs)).hits]


@pytest.fixture
def attractions(home_page):
    return AttractionIndexPageFactory(parent=home_page)


def test_a_published_page_is_found(attractions):
    AttractionPageFactory(parent=attractions, title="云端栈道", intro="悬崖上的木栈道。")
    assert titles("栈道") == ["云端栈道"]


def test_a_draft_page_is_never_found(attractions):
    AttractionPageFactory(parent=attractions, title="秘境草甸", publish=False)
    assert titles("草甸") == []
    assert not SearchEntry.objects.exists()


def test_unsaved_draft_changes_of_a_live_page_are_not_found(attractions):
    page = AttractionPageFactory(parent=attractions, title="云端栈道", intro="悬崖上的木栈道。")
    page.title = "秘密新名字"
    page.intro = "草稿里的溶洞"
    page.save_revision()
    assert titles("溶洞") == []
    assert titles("栈道") == ["云端栈道"]


def test_publishing_a_revision_replaces_the_indexed_text(attractions):
    page = AttractionPageFactory(parent=attractions, title="云端栈道", intro="悬崖上的木栈道。")
    page.title = "溶洞奇观"
    page.intro = "地下河上的钟乳石。"
    page.save_revision().publish()
    assert titles("溶洞") == ["溶洞奇观"]
    assert titles("栈道") == []


def test_an_unpublished_page_is_no_longer_found(attractions):
    page = AttractionPageFactory(parent=attractions, title="云端栈道")
    page.unpublish()
    assert titles("栈道") == []


def test_a_deleted_page_is_no_longer_found(attractions):
    page = AttractionPageFactory(parent=attractions, title="云端栈道")
    page.delete()
    assert titles("栈道") == []
    assert not SearchEntry.objects.exists()


def test_a_private_page_and_its_children_are_not_found_until_the_restriction_goes(home_page):
    section = StandardPageFactory(parent=home_page, title="内部通知", intro="员工培训安排")
    child = StandardPageFactory(parent=section, title="值班表", intro="员工值班安排")
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert titles("员工") == []
    restriction.delete()
    assert set(titles("员工")) == {"内部通知", "值班表"}
    assert child.live


def test_rebuild_indexes_only_what_may_be_found(attractions, home_page):
    AttractionPageFactory(parent=attractions, title="云端栈道")
    AttractionPageFactory(parent=attractions, title="秘境草甸", publish=False)
    private = StandardPageFactory(parent=home_page, title="内部通知")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    SearchEntry.objects.all().delete()
    rebuild()
    assert list(SearchEntry.objects.values_list("name", flat=True)) == ["云端栈道"]


@pytest.fixture
def shop(home_page):
    return ShopPageFactory(parent=home_page)


def test_a_live_product_is_found_with_its_price_and_village(shop):
    village = VillageFactory(name="茶山村", slug="chashan")
    ProductFactory(name="高山云雾茶", category="tea", price_fen=12800, producer__village=village)
    [hit] = search(SearchRequest(q="云雾茶")).hits
    assert (hit.title, hit.kind, hit.price_fen, hit.village) == ("高山云雾茶", "product", 12800, "茶山村")
    assert hit.url.startswith(shop.url)


def test_a_product_waiting_in_moderation_is_never_found(shop):
    ProductFactory(name="手工红糖", live=False)
    assert titles("红糖") == []


def test_a_live_products_change_in_moderation_shows_the_published_version(shop):
    product = ProductFactory(name="手工红糖")
    product.name = "秘制新品"
    product.save_revision()
    assert titles("红糖") == ["手工红糖"]
    assert titles("秘制") == []


def test_a_product_of_an_unverified_producer_is_not_found(shop):
    product = ProductFactory(name="手工红糖")
    product.producer.status = "rejected"
    product.producer.save()
    assert titles("红糖") == []
