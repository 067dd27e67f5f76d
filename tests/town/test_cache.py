"""The content cache: warm pages stay within the query budget and a publish is seen at once."""

import pytest

from home.models import HomePageFeaturedAttraction
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory, ImageFactory
from tests.factories.home import StandardPageFactory, set_footer
from tests.factories.town import VillageFactory
from tests.pages import WARM_BUDGET, cold_and_warm_queries
from town.cache import content_version

pytestmark = pytest.mark.django_db

# Warm: the page (the site, the locale and the way to it are remembered: home/routing.py); the
# view restrictions come from the cache.
STANDARD_PAGE_COLD, STANDARD_PAGE_WARM = 15, 1


@pytest.fixture
def attractions(home_page):
    return AttractionIndexPageFactory(parent=home_page)


def test_standard_page_runs_a_fixed_number_of_queries(client, home_page):
    page = StandardPageFactory(parent=home_page, image=ImageFactory())
    cold, warm, response = cold_and_warm_queries(client, page.url)
    assert page.title in response.text
    assert (cold, warm) == (STANDARD_PAGE_COLD, STANDARD_PAGE_WARM)
    assert warm <= WARM_BUDGET


def test_publishing_an_attraction_shows_on_the_next_request(client, home_page, attractions):
    page = AttractionPageFactory(parent=attractions, title="青溪古桥")
    HomePageFeaturedAttraction.objects.create(page=home_page, attraction=page, sort_order=0)
    assert "青溪古桥" in client.get("/").text
    assert "青溪古桥" in client.get(attractions.url).text

    page.title = "青溪廊桥"
    page.save_revision().publish()

    assert "青溪廊桥" in client.get("/").text
    assert "青溪廊桥" in client.get(attractions.url).text
    assert "青溪廊桥" in client.get(page.url).text


def test_unpublishing_an_attraction_takes_it_off_the_listings(client, attractions):
    kept = AttractionPageFactory(parent=attractions, title="青溪古桥")
    gone = AttractionPageFactory(parent=attractions, title="飞云瀑布", latitude="29.6", longitude="118.2")
    kept.latitude, kept.longitude = "29.6", "118.21"
    kept.save_revision().publish()
    assert "飞云瀑布" in client.get(attractions.url).text
    assert "飞云瀑布" in client.get(kept.url).text  # nearby

    gone.unpublish()

    assert "飞云瀑布" not in client.get(attractions.url).text
    assert "飞云瀑布" not in client.get(kept.url).text


def test_editing_the_footer_shows_on_the_next_request(client, home_page):
    set_footer(address="青溪镇石板街 1 号")
    assert "青溪镇石板街 1 号" in client.get("/").text

    set_footer(address="青溪镇游客中心 2 号")

    assert "青溪镇游客中心 2 号" in client.get("/").text


def test_a_new_section_shows_in_the_menu_on_the_next_request(client, home_page):
    assert 'href="/attractions/"' not in client.get("/").text

    AttractionIndexPageFactory(parent=home_page)

    assert 'href="/attractions/"' in client.get("/").text


def test_editing_a_village_changes_the_content_version(attractions):
    village = VillageFactory(name="桃花坞")
    before = content_version()
    village.name = "桃花源"
    village.save()
    assert content_version() != before


def test_a_preview_neither_reads_nor_fills_the_cache(client, attractions):
    page = AttractionPageFactory(parent=attractions, title="青溪古桥")
    client.get(page.url)  # caches the live page

    page.title = "预览标题"  # an editor's unsaved change, shown in the preview only
    preview = page.make_preview_request()
    if hasattr(preview, "render"):
        preview.render()

    assert "<h1>预览标题</h1>" in preview.content.decode()
    assert "预览标题" not in client.get(page.url).text


def test_a_restriction_added_after_a_view_applies_at_once(client, home_page):
    from wagtail.models import PageViewRestriction

    page = StandardPageFactory(parent=home_page)
    assert client.get(page.url).status_code == 200
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="s")
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title not in response.text or "password" in response.text.lower()
    assert 'name="password"' in response.text
    assert "wagtailcore/password_required.html" in [t.name for t in response.templates]
    assert page.intro not in response.text  # the page's own text is withheld
