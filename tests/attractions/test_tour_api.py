"""GET /api/v1/experiences/{id}/slots and tour lines through POST /api/v1/basket/lines."""

import datetime

import pytest
from django.utils import timezone

from orders import reservations
from orders.models import BasketLine, ReservationKind
from orders.reservations import local_today
from tests.factories.attractions import TourSlotFactory, tomorrow_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def slots_url(page_id, start, end):
    return f"/api/v1/experiences/{page_id}/slots?from={start}&to={end}"


def test_slots_with_seats_left_and_prices(client, picking):
    first = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    second = TourSlotFactory(experience=picking, starts_at=tomorrow_at(14), capacity=4)
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(16), status="cancelled")
    TourSlotFactory(experience=picking, starts_at=timezone.now() - datetime.timedelta(hours=1))
    later = TourSlotFactory(experience=picking, starts_at=tomorrow_at(9, days=10))
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, first.pk, 3)]))
    tomorrow = local_today() + datetime.timedelta(days=1)
    response = client.get(slots_url(picking.pk, local_today(), tomorrow))
    assert response.status_code == 200
    body = response.json()
    assert [row["slot_id"] for row in body] == [first.pk, second.pk]
    assert [row["seats_left"] for row in body] == [7, 4]
    assert body[0]["price_adult_fen"] == 8000 and body[0]["price_child_fen"] == 4000
    assert datetime.datetime.fromisoformat(body[0]["starts_at"]) == first.starts_at
    wider = client.get(slots_url(picking.pk, local_today(), tomorrow + datetime.timedelta(days=20))).json()
    assert later.pk in [row["slot_id"] for row in wider]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", "2026-12-31", "YYYY-MM-DD"),
        ("tomorrow", "2026-12-31", "YYYY-MM-DD"),
        ("2026-05-10", "2026-05-01", "must not be before"),
        ("2026-01-01", "2026-04-03", "at most 92 days"),
        ("2026-01-01", "2099-01-01", "at most 92 days"),
    ],
)
def test_bad_ranges_are_422_with_a_message(client, picking, start, end, message):
    response = client.get(slots_url(picking.pk, start, end))
    assert response.status_code == 422
    assert message in str(response.json())


def test_missing_parameters_are_422(client, picking):
    assert client.get(f"/api/v1/experiences/{picking.pk}/slots").status_code == 422


def test_unknown_or_unpublished_is_404(client, picking):
    today = local_today()
    assert client.get(slots_url(99999999, today, today)).status_code == 404
    picking.unpublish()
    assert client.get(slots_url(picking.pk, today, today)).status_code == 404
    assert client.get(slots_url(picking.meeting_point.pk, today, today)).status_code == 404


def test_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    path = schema["paths"]["/api/v1/experiences/{experience_id}/slots"]
    names = {p["name"] for p in path["get"]["parameters"]}
    assert {"experience_id", "from", "to"} <= names


def test_tour_line_through_the_basket_api(client, slot):
    response = client.post(
        "/api/v1/basket/lines",
        # A tampered price in the post is ignored, as always.
        {"kind": "tour", "slot_id": slot.pk, "adults": 2, "children": 1, "child_ages": [2], "total_fen": 1},
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    options = {"adults": 2, "children": 1, "child_ages": [2]}
    assert response.json()["options"] == options
    line = BasketLine.objects.get()
    assert (line.object_id, line.quantity) == (slot.pk, 3)
    assert line.options == options
    basket = client.get("/api/v1/basket").json()
    assert basket["total_fen"] == 2 * 8000  # the 2-year-old is free
    assert basket["lines"][0]["options"] == options


def test_bad_tour_line_through_the_basket_api(client, slot):
    response = client.post(
        "/api/v1/basket/lines",
        {"kind": "tour", "slot_id": slot.pk, "adults": 0, "children": 1},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert "adult" in str(response.json())
    assert not BasketLine.objects.exists()
