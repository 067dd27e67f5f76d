"""Facilities near a place are pinned on its map (attraction and route pages), apart from the
places, and left out of a route's line; a facility edit reaches the cached page."""

import json
import re

import pytest

from scenic.models import Facility, FacilityKind
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory, RoutePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def attraction_index(home_page):
    return AttractionIndexPageFactory(parent=home_page)


def markers_of(html, map_id):
    found = re.search(rf'<script id="{map_id}-markers" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def toilet(name="石板街公厕", lat="29.612700", lng="118.262500", **fields):
    return Facility.objects.create(kind=FacilityKind.TOILET, name=name, latitude=lat, longitude=lng, **fields)


def test_the_attraction_map_pins_the_facilities_near_it(client, attraction_index):
    page = AttractionPageFactory(
        parent=attraction_index, title="石板街", latitude="29.612400", longitude="118.263100"
    )
    toilet(accessible=True)
    toilet("远处公厕", lat="29.700000", lng="118.400000")
    html = client.get(page.url).text
    markers = markers_of(html, "attraction-map")
    assert [m.get("kind") for m in markers] == [None, "facility"]
    assert markers[1]["label"] == "厕" and "石板街公厕" in markers[1]["title"] and "♿" in markers[1]["title"]
    assert "远处公厕" not in html
    assert "附近 1 处设施" in html


def test_a_new_facility_reaches_the_cached_attraction_page(client, attraction_index):
    page = AttractionPageFactory(parent=attraction_index, latitude="29.612400", longitude="118.263100")
    assert "石板街公厕" not in client.get(page.url).text
    toilet()
    assert "石板街公厕" in client.get(page.url).text


def test_the_route_map_pins_facilities_but_its_stops_stay_numbered(client, attraction_index):
    first = AttractionPageFactory(
        parent=attraction_index, title="老街", latitude="29.612400", longitude="118.263100"
    )
    second = AttractionPageFactory(
        parent=attraction_index, title="桃林", latitude="29.645000", longitude="118.221000"
    )
    route = RoutePageFactory(parent=attraction_index, stops=[first, second])
    toilet()
    html = client.get(route.url).text
    markers = markers_of(html, "route-map")
    assert [m["label"] for m in markers] == ["1", "2", "厕"]
    summary = re.search(r"<summary>(.*?)</summary>", html.split('class="map-list"')[1], re.S)[1]
    assert "(2)" in summary and "附近 1 处设施" in summary
