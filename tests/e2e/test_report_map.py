"""Issue #17 in a real browser: on /report-a-problem/ a visitor on a 360 px phone taps the map
where the problem is; the point fills the coordinate fields and shows a marker, and the report is
stored with that point (and the nearest village). The lists stay for who cannot use the map."""

import pytest

from feedback.models import ProblemReport
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.home import make_home_page
from tests.factories.town import VillageFactory

from .conftest import fill_form

pytestmark = pytest.mark.e2e


def test_tapping_the_map_sets_the_point_and_the_report_keeps_it(journey, transactional_db):
    home = make_home_page()
    west = VillageFactory(name="石板街", slug="shibanjie", latitude="29.600000", longitude="118.200000")
    VillageFactory(name="桃花坞", slug="taohuawu", latitude="29.640000", longitude="118.260000")
    AttractionPageFactory(parent=AttractionIndexPageFactory(parent=home), title="观景台", village=west)

    page = journey.new_page(phone=True, viewport={"width": 360, "height": 780})
    page.goto("/report-a-problem/")
    picker = page.locator("[data-map-pick]")
    picker.locator(".leaflet-control-zoom").wait_for()  # Leaflet is loaded and the map drawn
    assert page.locator('select[name="attraction"]').is_visible()  # the lists stay
    assert page.locator(".leaflet-marker-icon").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    picker.scroll_into_view_if_needed()
    journey.shot(page, "map")

    box = picker.bounding_box()
    picker.tap(position={"x": box["width"] * 0.5, "y": box["height"] * 0.5})
    page.locator(".leaflet-marker-icon").wait_for()
    latitude = float(page.locator('[name="latitude"]').input_value())
    longitude = float(page.locator('[name="longitude"]').input_value())
    # The middle of the map is the middle of the villages (the map opens on them).
    assert 29.60 < latitude < 29.64 and 118.20 < longitude < 118.26
    assert page.locator("[data-pick-status]").inner_text() == "已在地图上选定位置。"

    # A second tap moves the one marker.
    picker.tap(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    assert page.locator(".leaflet-marker-icon").count() == 1
    moved = float(page.locator('[name="longitude"]').input_value())
    assert moved < longitude
    journey.shot(page, "tapped")

    form = page.locator("form.form")
    fill_form(
        page, form, {"category": "facility", "text": "步道上的路灯坏了，晚上很黑。", "phone": "139 0000 0000"}
    )
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/report-a-problem/*/")
    report = ProblemReport.objects.get()
    assert float(report.longitude) == pytest.approx(moved, abs=1e-6)
    assert report.latitude is not None and report.village is not None
    journey.shot(page, "sent")
