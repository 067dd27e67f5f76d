import json
import re

import pytest

from attractions.models import AttractionCategory, AttractionGalleryImage
from tests.factories.attractions import AttractionPageFactory, ImageFactory, RoutePageFactory
from tests.factories.home import en_locale, translate
from tests.factories.town import VillageFactory
from tests.pages import WARM_BUDGET, cold_and_warm_queries
from town.models import Village

pytestmark = pytest.mark.django_db

# SQL queries per page, cold and warm (tests/pages.py). Warm is the page alone (the site, the
# locale and the way to the page are remembered: home/routing.py); the view restrictions come
# from the cache.
# Cold includes the index's experiences (one query when there are none), and on the attraction
# and route pages the facilities for their maps (scenic; content-cached, so not warm). The
# attraction page also asks for its "book entry" call to action (gates, through town.spots): one
# query for the spots with timed entry (none here), kept like availability, so not warm either.
ATTRACTION_INDEX_COLD, ATTRACTION_INDEX_WARM = 19, 1
FILTERED_INDEX_COLD = 19
UNCACHED_INDEX_WARM = 6
ATTRACTION_PAGE_COLD, ATTRACTION_PAGE_WARM = 25, 1
ROUTE_PAGE_COLD, ROUTE_PAGE_WARM = 19, 1
# In English too: the routing reads the English home page in the query that reads the home page
# (home/routing.py; Wagtail's own read it twice).
ENGLISH_ATTRACTION_PAGE_WARM = ATTRACTION_PAGE_WARM
assert max(ATTRACTION_INDEX_WARM, ENGLISH_ATTRACTION_PAGE_WARM, ROUTE_PAGE_WARM) <= WARM_BUDGET


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match[1])


def test_attraction_index_lists_its_attractions_in_chinese(client, attraction_index, village):
    AttractionPageFactory(parent=attraction_index, title="青溪古桥", village=village)
    response = client.get(attraction_index.url)
    assert response.status_code == 200
    assert "青溪古桥" in response.text
    assert "桃花坞" in response.text


def test_attraction_index_leaves_out_drafts(client, attraction_index):
    AttractionPageFactory(parent=attraction_index, title="未发布的景点", publish=False)
    assert "未发布的景点" not in client.get(attraction_index.url).text


def test_attraction_index_filters_by_category(client, attraction_index):
    AttractionPageFactory(
        parent=attraction_index, title="红军纪念馆", category=AttractionCategory.RED_CULTURE
    )
    AttractionPageFactory(parent=attraction_index, title="桃园采摘", category=AttractionCategory.FARM)
    response = client.get(attraction_index.url, {"category": "red_culture"})
    assert "红军纪念馆" in response.text
    assert "桃园采摘" not in response.text


def test_attraction_index_filters_by_village(client, attraction_index, village):
    AttractionPageFactory(parent=attraction_index, title="桃林", village=village)
    AttractionPageFactory(parent=attraction_index, title="茶园", village=VillageFactory(slug="chashan"))
    response = client.get(attraction_index.url, {"village": "taohuawu"})
    assert "桃林" in response.text
    assert "茶园" not in response.text


@pytest.mark.parametrize(
    "params", [{"category": "volcano"}, {"village": "atlantis"}, {"category": ["a", "b"]}]
)
def test_unknown_filter_shows_a_message_and_every_attraction(client, attraction_index, params):
    AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    response = client.get(attraction_index.url, params)
    assert response.status_code == 200
    assert 'class="message message--warning"' in response.text
    assert "青溪古桥" in response.text


@pytest.mark.parametrize("page", ["-1", "abc", "99999", "0", "1.5"])
def test_bad_page_number_on_the_attraction_index_still_shows_a_page(client, attraction_index, page):
    AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    response = client.get(attraction_index.url, {"page": page})
    assert response.status_code == 200
    assert "青溪古桥" in response.text


def test_attraction_index_renders_in_english(client, attraction_index):
    attraction = AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    english_index = translate(attraction_index, title="Attractions and routes")
    translate(attraction, title="Qingxi Old Bridge")
    response = client.get(english_index.url)
    assert english_index.url.startswith("/en/")
    assert response.status_code == 200
    assert "Attractions and routes" in response.text
    assert "Qingxi Old Bridge" in response.text
    assert "青溪古桥" not in response.text


def test_attraction_page_shows_its_facts_in_chinese(client, attraction_index, village):
    page = AttractionPageFactory(parent=attraction_index, title="青溪古桥", village=village)
    page.tags.add("红色文化")
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.status_code == 200
    for text in (
        "青溪古桥",
        "青溪镇石板街 1 号",
        "在地图应用中打开",  # a link to the visitor's map app, not the raw coordinates
        "每天 8:00–17:30",
        "免费",
        "红色文化",
        "桃花坞",
    ):
        assert text in response.text
    assert "29.61210" not in re.sub(r"<script.*?</script>|<[^>]+>", "", response.text, flags=re.S)


def test_attraction_page_renders_in_english(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    english = translate(
        page, title="Qingxi Old Bridge", address="1 Shiban Street", opening_hours="Daily 8:00–17:30"
    )
    response = client.get(english.url)
    assert english.url.startswith("/en/")
    assert response.status_code == 200
    assert "Qingxi Old Bridge" in response.text
    assert "1 Shiban Street" in response.text
    assert "Daily 8:00–17:30" in response.text


def test_attraction_page_shows_its_gallery_with_captions(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index)
    page.gallery_images = [AttractionGalleryImage(image=ImageFactory(), caption="桥下的溪水")]
    page.save_revision().publish()
    response = client.get(page.url)
    assert "桥下的溪水" in response.text
    assert "fill-400x300.format-webp" in response.text


def test_attraction_page_carries_tourist_attraction_json_ld(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, title="青溪古桥", image=ImageFactory())
    data = json_ld(client.get(page.url).text)
    assert data["@type"] == "TouristAttraction"
    assert data["name"] == "青溪古桥"
    assert data["geo"]["latitude"] == 29.6121
    assert data["image"].startswith("http://testserver/")


def test_attraction_page_json_ld_cannot_close_its_script_element(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, title="</script><script>alert(1)</script>")
    html = client.get(page.url).text
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_attraction_page_lists_nearby_attractions(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, latitude="0", longitude="0")
    AttractionPageFactory(parent=attraction_index, title="邻近的茶园", latitude="0", longitude="0.1")
    response = client.get(page.url)
    assert "邻近的茶园" in response.text
    assert "11.1 公里" in response.text


def test_route_page_lists_stops_in_order_with_distance_in_chinese(client, attraction_index):
    first = AttractionPageFactory(parent=attraction_index, title="第一站老街", latitude="0", longitude="0")
    second = AttractionPageFactory(parent=attraction_index, title="第二站桃林", latitude="0", longitude="1")
    route = RoutePageFactory(parent=attraction_index, title="桃花线", stops=[first, second])
    response = client.get(route.url)
    assert response.status_code == 200
    assert response.text.index("第一站老街") < response.text.index("第二站桃林")
    assert "111.2" in response.text
    assert "1 天" in response.text


def test_route_page_in_english_links_to_the_english_stops(client, attraction_index):
    first = AttractionPageFactory(parent=attraction_index, title="老街", latitude="0", longitude="0")
    second = AttractionPageFactory(parent=attraction_index, title="桃林", latitude="0", longitude="1")
    route = RoutePageFactory(parent=attraction_index, title="桃花线", stops=[first, second])
    english_first = translate(first, title="Old Street")
    translate(second, title="Peach Grove")
    english_route = translate(route, title="Peach Blossom Route", suggested_duration="1 day")
    response = client.get(english_route.url)
    assert response.status_code == 200
    assert "Peach Blossom Route" in response.text
    assert "Old Street" in response.text
    assert "Peach Grove" in response.text
    assert f'href="{english_first.url}"' in response.text


# Pinned totals include the site shell (site, locale, page routing, view-restriction check,
# navigation, footer settings: 10 queries at the index's depth, 12 one level down); the rest is ours.


def _attractions(index, count):
    villages = [VillageFactory() for _ in range(2)]
    for n in range(count):
        page = AttractionPageFactory(parent=index, village=villages[n % 2], image=ImageFactory())
        page.tags.add("红色文化", "民族文化")
        page.save_revision().publish()


# Cold: the first request after the cache is emptied; warm: the next one, from the content cache.


@pytest.mark.parametrize("count", [2, 50])
def test_attraction_index_and_page_run_a_fixed_number_of_queries(client, attraction_index, count):
    """The index, filtered or not, and an attraction page among ``count`` others (one set-up for
    the three: 50 attractions take a while to make)."""
    _attractions(attraction_index, count)
    cold, warm, _response = cold_and_warm_queries(client, attraction_index.url)
    assert (cold, warm) == (ATTRACTION_INDEX_COLD, ATTRACTION_INDEX_WARM)

    village = Village.objects.first()
    data = {"category": AttractionCategory.SCENIC_SPOT, "village": village.slug, "page": "1"}
    cold, warm, _response = cold_and_warm_queries(client, attraction_index.url, data)
    assert (cold, warm) == (FILTERED_INDEX_COLD, ATTRACTION_INDEX_WARM)

    page = AttractionPageFactory(parent=attraction_index, image=ImageFactory())
    cold, warm, _response = cold_and_warm_queries(client, page.url)
    assert (cold, warm) == (ATTRACTION_PAGE_COLD, ATTRACTION_PAGE_WARM)
    english = translate(page, title="Old Street")
    _cold, warm, response = cold_and_warm_queries(client, english.url)
    assert "Old Street" in response.text
    assert warm == ENGLISH_ATTRACTION_PAGE_WARM


def test_attraction_index_with_an_unknown_filter_is_not_cached(client, attraction_index):
    """What was typed shows in the warning, so that page is rendered each time."""
    _attractions(attraction_index, 3)
    cold, warm, response = cold_and_warm_queries(client, attraction_index.url, {"village": "nowhere"})
    assert "nowhere" in response.text
    assert warm == UNCACHED_INDEX_WARM <= WARM_BUDGET  # only the shell comes from the cache


@pytest.mark.parametrize("count", [2, 50])
def test_route_page_runs_a_fixed_number_of_queries(client, attraction_index, count):
    stops = [AttractionPageFactory(parent=attraction_index, village=VillageFactory()) for _ in range(count)]
    route = RoutePageFactory(parent=attraction_index, stops=stops, image=ImageFactory())
    cold, warm, _response = cold_and_warm_queries(client, route.url)
    assert (cold, warm) == (ROUTE_PAGE_COLD, ROUTE_PAGE_WARM)


def test_route_preview_shows_the_stops_being_edited(attraction_index):
    first = AttractionPageFactory(parent=attraction_index, title="老街", latitude="0", longitude="0")
    second = AttractionPageFactory(parent=attraction_index, title="桃林", latitude="0", longitude="1")
    route = RoutePageFactory(parent=attraction_index, stops=[first, second])
    draft = route.get_latest_revision_as_object()
    draft.stops = [*draft.stops.all()][:1]
    response = draft.make_preview_request()
    assert response.status_code == 200
    assert "老街" in response.rendered_content
    assert "桃林" not in response.rendered_content


def test_attraction_preview_renders(attraction_index):
    page = AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    draft = page.get_latest_revision_as_object()
    draft.title = "青溪古桥（草稿）"
    response = draft.make_preview_request()
    assert response.status_code == 200
    assert "青溪古桥（草稿）" in response.rendered_content


def _english_village(village):
    english = village.copy_for_translation(en_locale())
    english.name = "Peach Blossom Hollow"
    english.save()
    return english


def test_english_attraction_page_names_the_english_village(client, attraction_index, village):
    page = AttractionPageFactory(parent=attraction_index, village=village)
    _english_village(village)
    english = translate(page, title="Old Bridge")
    response = client.get(english.url)
    assert "Peach Blossom Hollow" in response.text
    assert "桃花坞" not in response.text


def test_english_index_filters_by_the_english_village(client, attraction_index, village):
    page = AttractionPageFactory(parent=attraction_index, village=village)
    other = AttractionPageFactory(parent=attraction_index, village=VillageFactory(slug="chashan"))
    english_village = _english_village(village)
    english_index = translate(attraction_index, title="Attractions")
    translate(page, title="Old Bridge")
    translate(other, title="Tea Hill")
    response = client.get(english_index.url, {"village": english_village.slug})
    assert "Old Bridge" in response.text
    assert "Tea Hill" not in response.text
    assert "Peach Blossom Hollow" in response.text
