"""Maps on the attraction and route pages (issue 20, item 8): one map per place, places and
distances rather than WGS-84 coordinates, links to the visitor's map app, a real gallery."""

import re

import pytest

from attractions.models import AttractionGalleryImage
from tests.factories.attractions import AttractionPageFactory, ImageFactory, RoutePageFactory
from tests.factories.home import translate
from town import geo

pytestmark = pytest.mark.django_db


def map_point(lat, lng, title="地图"):
    return {"type": "map_point", "value": {"title": title, "latitude": lat, "longitude": lng, "zoom": 14}}


def visible_text(html):
    """What a visitor reads: no scripts (the map's markers, JSON-LD), no tags, no link targets."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))


def maps_on(html):
    return len(re.findall(r'<div class="map" id=', html))


def test_the_attraction_page_draws_its_own_place_once(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index)
    page.body = [{"type": "paragraph", "value": "<p>溪水清澈。</p>"}, map_point("29.612150", "118.261850")]
    page.save_revision().publish()
    html = client.get(page.url).text
    assert maps_on(html) == 1
    assert "溪水清澈" in html


def test_a_map_of_another_place_in_the_body_stays(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index)
    page.body = [map_point("29.650000", "118.300000", "停车场")]
    page.save_revision().publish()
    assert maps_on(client.get(page.url).text) == 2


def test_the_attraction_page_links_to_a_map_app_instead_of_printing_coordinates(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, title="青溪古桥")
    html = client.get(page.url).text
    assert "https://uri.amap.com/marker?position=118.261800%2C29.612100&amp;name=" in html
    assert "coordinate=wgs84" in html
    assert "WGS-84" not in html and "29.6121" not in visible_text(html)


def test_the_route_page_names_places_and_distances_not_coordinates(client, attraction_index):
    first = AttractionPageFactory(parent=attraction_index, title="老街", latitude="0", longitude="0")
    second = AttractionPageFactory(parent=attraction_index, title="桃林", latitude="0", longitude="1")
    third = AttractionPageFactory(parent=attraction_index, title="茶山", latitude="0", longitude="1.1")
    route = RoutePageFactory(parent=attraction_index, stops=[first, second, third])
    html = client.get(route.url).text
    assert "距上一站 111.2 公里" in html and "距上一站 11.1 公里" in html
    assert not re.search(r"\d\.\d{4}", visible_text(html))
    # The whole route in the map app, from the first stop through the second to the last.
    link = re.search(r'href="(https://uri\.amap\.com/navigation\?[^"]+)"', html)[1]
    assert "from=0.000000%2C0.000000%2C%E8%80%81%E8%A1%97" in link
    assert "via=1.000000%2C0.000000" in link and "to=1.100000%2C0.000000" in link
    assert html.count("https://uri.amap.com/marker?") == 3  # each stop on its own


def test_route_app_links_need_two_places():
    assert geo.route_app_url([(0, 0, "a")]) is None
    assert geo.route_app_url([(0, 0, "a"), (None, None, "b")]) is None
    many = geo.route_app_url([(0, 0, "a"), (0, 1, "b"), (0, 2, "c"), (0, 3, "d")])
    assert "via=" not in many and "to=3.000000%2C0.000000%2Cd" in many


def test_the_gallery_is_a_grid_of_photos_that_open_larger(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index)
    page.gallery_images = [
        AttractionGalleryImage(image=ImageFactory(), caption="桥下的溪水", sort_order=0),
        AttractionGalleryImage(image=ImageFactory(), caption="秋天的桥", sort_order=1),
    ]
    page.save_revision().publish()
    html = client.get(page.url).text
    gallery = re.search(r'<ul class="gallery">(.*?)</ul>', html, re.S)[1]
    items = re.findall(r'<li><figure>\s*<a href="([^"]+)"><img [^>]*fill-400x300', gallery)
    assert len(items) == 2
    assert all("fill-800x600" in href for href in items)
    assert "桥下的溪水" in gallery and "秋天的桥" in gallery


def map_div(html):
    return re.search(r'<div class="map" id=[^>]*>', html).group(0)


def test_the_map_credits_and_buttons_speak_the_page_s_language(client, attraction_index, settings):
    """Leaflet's own words are English: the page gives the map its credit and its zoom buttons'
    names in the visitor's language (issue 20: no English on Chinese pages)."""
    settings.MAP_TILE_ATTRIBUTION = ""  # the default tiles' (OpenStreetMap's) credit
    page = AttractionPageFactory(parent=attraction_index)
    chinese = map_div(client.get(page.url).text)
    assert 'data-tile-attribution="© OpenStreetMap 贡献者"' in chinese
    assert 'data-zoom-in-title="放大"' in chinese and 'data-zoom-out-title="缩小"' in chinese
    english = map_div(client.get(translate(page, title="Old Bridge").url).text)
    assert 'data-tile-attribution="© OpenStreetMap contributors"' in english
    assert 'data-zoom-in-title="Zoom in"' in english


def test_another_tile_provider_s_credit_is_shown_as_configured(client, attraction_index, settings):
    settings.MAP_TILE_ATTRIBUTION = "© 高德地图"
    page = AttractionPageFactory(parent=attraction_index)
    assert 'data-tile-attribution="© 高德地图"' in map_div(client.get(page.url).text)
