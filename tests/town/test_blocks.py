import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from town.blocks import CallToActionBlock, LinkBlock, MapPointBlock

MAP_JS = Path(settings.BASE_DIR) / "site" / "static" / "js" / "map.js"


def clean(block, raw):
    return block.clean(block.to_python(raw))


@pytest.mark.parametrize(
    ("latitude", "longitude", "bad_field"),
    [
        ("90.000001", "118", "latitude"),
        ("-91", "118", "latitude"),
        ("29.6", "180.5", "longitude"),
        ("29.6", "-181", "longitude"),
    ],
)
def test_map_point_rejects_coordinates_off_the_globe(latitude, longitude, bad_field):
    with pytest.raises(ValidationError) as error:
        clean(MapPointBlock(), {"title": "门", "latitude": latitude, "longitude": longitude, "zoom": 14})

    assert bad_field in error.value.block_errors


def test_map_point_accepts_the_edges_of_the_globe():
    value = clean(MapPointBlock(), {"title": "极点", "latitude": "-90", "longitude": "180", "zoom": 3})

    assert float(value["latitude"]) == -90


@pytest.mark.parametrize("block_class", [LinkBlock, CallToActionBlock])
@pytest.mark.parametrize(("external_url", "message"), [("", "neither"), ("https://example.com/", "both")])
def test_links_need_exactly_one_target(db, home_page, block_class, external_url, message):
    raw = {
        "title": "去看看",
        "button_label": "走",
        "text": "",
        "page": home_page.pk if message == "both" else None,
        "external_url": external_url,
    }

    with pytest.raises(ValidationError):
        clean(block_class(), raw)


def test_link_to_an_address_is_valid_and_gives_its_url():
    value = clean(LinkBlock(), {"title": "县政府", "page": None, "external_url": "https://example.gov.cn/"})

    assert value.url() == "https://example.gov.cn/"


def render_map(**context):
    context.setdefault("MAP_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    context.setdefault("MAP_TILE_ATTRIBUTION", "© Tiles")
    context.setdefault("MAP_TILE_COORDS", "gcj02")
    template = '{% include "includes/map.html" with markers=markers map_id="route-map" route=route %}'
    from django.template import engines

    return engines["django"].from_string(template).render(context)


def test_map_include_writes_markers_as_json_and_a_list_for_readers_without_javascript():
    markers = [
        {"lat": 29.6121, "lng": 118.2618, "title": "老街</script>", "url": "/old-street/", "label": "1"},
        {"lat": 29.645234567, "lng": 118.2214, "title": "桃花坞", "label": "2"},
    ]

    body = render_map(markers=markers, route=True)

    data = body.split('<script id="route-map-markers" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data) == markers  # the title cannot close the script element
    assert 'data-route="1"' in body and 'data-tile-coords="gcj02"' in body
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in body
    assert 'data-leaflet-js="/static/leaflet/leaflet.js"' in body
    assert '<script src="/static/js/map.js" defer></script>' in body
    fallback_list = body.split('<details class="map-list"')[1]
    assert "29.64523" not in fallback_list  # it names places, not WGS-84 coordinates
    for name in ("icon", "icon-2x", "shadow"):  # Leaflet need not guess where its images are
        assert re.search(rf'data-leaflet-{name}="/static/leaflet/images/marker-[a-z0-9-]+\.png"', body)
    assert '<a href="/old-street/">老街&lt;/script&gt;</a>' in body
    assert "<script>" not in body  # no inline script: the CSP forbids it


def test_map_include_renders_nothing_without_markers():
    assert render_map(markers=[], route=False).strip() == ""


def test_leaflet_is_served_from_our_static_files():
    from django.contrib.staticfiles import finders

    assert finders.find("leaflet/leaflet.js") and finders.find("leaflet/leaflet.css")
    for image in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        assert finders.find(f"leaflet/images/{image}")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the map script")
@pytest.mark.parametrize(
    ("wgs", "gcj"),
    [
        # Reference pairs published with the eviltransform library (Shanghai, Shenzhen, Beijing).
        ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),
        ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),
        ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),
        # Outside China nothing moves.
        ((48.8584, 2.2945), (48.8584, 2.2945)),
    ],
)
def test_map_script_converts_wgs84_to_gcj02(wgs, gcj):
    script = (
        "global.window = {}; global.document = {readyState: 'complete', querySelectorAll: () => []};"
        f"require({json.dumps(str(MAP_JS))});"
        f"console.log(JSON.stringify(window.TianyuanMap.wgs84ToGcj02({wgs[0]}, {wgs[1]})));"
    )
    result = subprocess.run(  # noqa: S603
        [shutil.which("node"), "-e", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    lat, lng = json.loads(result.stdout)
    assert lat == pytest.approx(gcj[0], abs=1e-6)
    assert lng == pytest.approx(gcj[1], abs=1e-6)
