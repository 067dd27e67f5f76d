"""Issue #17 in a real browser: /now/ on a 360 px phone shows a car park's free spaces change
after a counter system reports, and a spot's crowding level change after a booked entry is
admitted at its gate, without a reload."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gates.models import SpotCrowd
from gates.schedules import generate_windows
from orders import basket as basket_service
from orders.models import Basket
from tests.e2e.conftest import log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.home import make_home_page
from tests.gates.conftest import make_rule
from tests.orders.checkout_fixtures import check_out
from tests.scenic.conftest import make_car_park, make_counter

pytestmark = pytest.mark.e2e

PARTY = 4


@pytest.fixture
def fast_polling(settings):
    settings.SCENIC_NOW_POLL_SECONDS = 1  # the page asks every 30 s in production


@pytest.fixture
def ten_oclock(time_machine):
    """10:00 today, town time, the clock running on: the hall's 10:00 window is today's at the
    gate whatever the hour the suite runs at."""
    today = timezone.localdate()
    time_machine.move_to(
        datetime.datetime.combine(today, datetime.time(10), tzinfo=timezone.get_default_timezone()), tick=True
    )


def booked_entry(hall, people):
    """A free timed entry for ``people`` at the hall today, booked and confirmed (a visitor's
    basket and checkout): the line with its voucher."""
    rule = make_rule(hall, opens_at=datetime.time(9), closes_at=datetime.time(17))
    generate_windows(rule, days=1, now=timezone.now())
    ten = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(10)))
    window = rule.windows.get(starts_at=ten)
    basket = Basket.objects.create(user=VerifiedUserFactory())
    basket_service.add_line(basket, {"kind": "entry", "window_id": window.pk, "people": people})
    order = check_out(basket.user, basket).order
    assert order.status == "confirmed", order.status
    return order.lines.get()


def test_the_numbers_change_on_the_open_page_after_a_counter_update_and_a_gate_admission(
    journey, transactional_db, fast_polling, ten_oclock
):
    home = make_home_page()
    hall = AttractionPageFactory(parent=AttractionIndexPageFactory(parent=home), title="红岭纪念馆")
    SpotCrowd.objects.create(spot=hall, people=98, comfortable=100, maximum=200)
    line = booked_entry(hall, PARTY)
    staff = VerifiedUserFactory(email="gate@example.com", is_staff=True)
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

    # A family of four with a booked entry at the memorial hall's gate: staff type their voucher
    # code on the gate page, which admits them and counts them in, 102 of a comfortable 100.
    gate = journey.new_page(phone=True, viewport={"width": 360, "height": 780})
    log_in(gate, staff)
    gate_url = reverse("gates_gate", args=[hall.pk])
    gate.goto(gate_url)
    gate.locator('input[name="code"]').fill(line.voucher.code)
    with gate.expect_navigation():
        gate.locator('.gate-form button[type="submit"]').first.click()
    result = gate.locator(".gate-result")
    journey.shot(gate, "gate-admitted")
    assert result.get_attribute("data-result") == "admitted", result.inner_text()
    assert re.search(rf"\b{PARTY}\b", result.inner_text())

    page.wait_for_function(
        f"document.querySelector('[data-car-park=\"{car_park.pk}\"] [data-free]').textContent === '42'"
    )
    page.wait_for_function(
        f"document.querySelector('[data-spot=\"{hall.pk}\"] [data-level]').textContent === '繁忙'"
    )
    assert page.locator(f'[data-spot="{hall.pk}"] [data-people]').inner_text() == str(98 + PARTY)
    full_note = page.locator(f'[data-car-park="{full.pk}"] [data-full-note]')
    full_note.wait_for(state="visible")
    assert "石板街停车场" in full_note.inner_text()
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("[data-now-updated]").inner_text().count(":") == 1
    journey.shot(page, "after")
