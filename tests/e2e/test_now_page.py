"""Issue #17 in a real browser: /now/ on a 360 px phone shows a car park's free spaces change
after a counter system reports, and a spot's crowding level change after people pass its gate,
without a reload."""

import json

import pytest
from django.test import Client

from gates import crowding
from gates.models import SpotCrowd
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.home import make_home_page
from tests.scenic.conftest import make_car_park, make_counter

pytestmark = pytest.mark.e2e


@pytest.fixture
def fast_polling(settings):
    settings.SCENIC_NOW_POLL_SECONDS = 1  # the page asks every 30 s in production


def test_the_free_spaces_change_on_the_open_page_after_a_counter_update(
    journey, transactional_db, fast_polling
):
    home = make_home_page()
    hall = AttractionPageFactory(parent=AttractionIndexPageFactory(parent=home), title="红岭纪念馆")
    SpotCrowd.objects.create(spot=hall, people=90, comfortable=100, maximum=200)
    car_park = make_car_park("石板街停车场", total=220, free=86)
    full = make_car_park("桃花坞停车场", total=120, free=5, lat="29.644000", lng="118.223000")
    _counter, token = make_counter(car_park, full)

    page = journey.new_page(phone=True, viewport={"width": 360, "height": 780})
    page.goto("/now/")
    free = page.locator(f'[data-car-park="{car_park.pk}"] [data-free]')
    assert free.inner_text() == "86"
    level = page.locator(f'[data-spot="{hall.pk}"] [data-level]')
    assert level.inner_text() == "舒适"
    assert page.locator(f'[data-car-park="{full.pk}"] [data-full-note]').is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.__notReloaded = true")
    journey.shot(page, "before")

    counter_system = Client()
    for car_park_id, body in ((car_park.pk, {"free": 42}), (full.pk, {"change": -5})):
        response = counter_system.post(
            f"/api/v1/parking/{car_park_id}/count",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content

    # A coach party of 30 through the memorial hall's gate: the gate counts them in (the same
    # crowding.move that an admission makes), 120 of a comfortable 100.
    crowding.move(hall.pk, 30)

    page.wait_for_function(
        f"document.querySelector('[data-car-park=\"{car_park.pk}\"] [data-free]').textContent === '42'"
    )
    page.wait_for_function(
        f"document.querySelector('[data-spot=\"{hall.pk}\"] [data-level]').textContent === '繁忙'"
    )
    assert page.locator(f'[data-spot="{hall.pk}"] [data-people]').inner_text() == "120"
    full_note = page.locator(f'[data-car-park="{full.pk}"] [data-full-note]')
    full_note.wait_for(state="visible")
    assert "石板街停车场" in full_note.inner_text()
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("[data-now-updated]").inner_text().count(":") == 1
    journey.shot(page, "after")
