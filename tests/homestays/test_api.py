"""The JSON API: /api/v1/homestays/availability and /api/v1/homestays/{id}/calendar."""

from datetime import timedelta

import pytest

from homestays.models import RateRuleKind
from orders.reservations import local_today
from tests.factories.homestays import RoomRateRuleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
AVAILABILITY = "/api/v1/homestays/availability"


def calendar_url(homestay_id):
    return f"/api/v1/homestays/{homestay_id}/calendar"


def test_availability_lists_free_rooms_with_totals(client, room, monday):
    response = client.get(
        AVAILABILITY,
        {"check_in": monday.isoformat(), "check_out": (monday + timedelta(days=2)).isoformat(), "guests": 2},
    )
    assert response.status_code == 200
    (item,) = response.json()
    assert item["room_type_id"] == room.pk
    assert item["homestay_id"] == room.page_id
    assert (item["nights"], item["total_fen"], item["currency"]) == (2, 60000, "CNY")


def test_availability_with_malformed_date_is_422(client, room):
    response = client.get(AVAILABILITY, {"check_in": "2030-02-30", "check_out": "2030-03-02"})
    assert response.status_code == 422
    assert any(error["loc"][-1] == "check_in" for error in response.json()["detail"])


def test_availability_with_check_out_before_check_in_is_422(client, room, monday):
    response = client.get(
        AVAILABILITY, {"check_in": monday.isoformat(), "check_out": (monday - timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "check_out"]


def test_availability_in_the_past_is_422(client, room):
    yesterday = local_today() - timedelta(days=1)
    response = client.get(
        AVAILABILITY, {"check_in": yesterday.isoformat(), "check_out": local_today().isoformat()}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("guests", [0, 21])
def test_availability_guests_out_of_range_is_422(client, room, monday, guests):
    response = client.get(
        AVAILABILITY,
        {
            "check_in": monday.isoformat(),
            "check_out": (monday + timedelta(days=1)).isoformat(),
            "guests": guests,
        },
    )
    assert response.status_code == 422


def test_availability_without_dates_is_422(client, db):
    assert client.get(AVAILABILITY).status_code == 422


def test_calendar_gives_each_night_of_each_room(client, room, monday):
    RoomRateRuleFactory(room_type=room, kind=RateRuleKind.CLOSED, start_date=monday + timedelta(days=1))
    response = client.get(
        calendar_url(room.page_id),
        {"from": monday.isoformat(), "to": (monday + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 200
    (room_json,) = response.json()["room_types"]
    assert room_json["room_type_id"] == room.pk
    assert [(n["available_units"], n["price_fen"], n["closed"]) for n in room_json["nights"]] == [
        (2, 30000, False),
        (0, None, True),
        (2, 30000, False),
    ]


def test_calendar_of_unknown_homestay_is_404(client, db, monday):
    response = client.get(calendar_url(999_999), {"from": monday.isoformat(), "to": monday.isoformat()})
    assert response.status_code == 404


def test_calendar_longer_than_92_days_is_422(client, room, monday):
    response = client.get(
        calendar_url(room.page_id),
        {"from": monday.isoformat(), "to": (monday + timedelta(days=92)).isoformat()},
    )
    assert response.status_code == 422


def test_calendar_with_reversed_range_is_422(client, room, monday):
    response = client.get(
        calendar_url(room.page_id),
        {"from": monday.isoformat(), "to": (monday - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 422


def test_calendar_with_malformed_date_is_422(client, room):
    assert client.get(calendar_url(room.page_id), {"from": "soon", "to": "2030-01-01"}).status_code == 422


def test_openapi_schema_lists_both_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/homestays/availability" in paths
    assert "/api/v1/homestays/{homestay_id}/calendar" in paths


def test_api_docs_page_is_served(client, db):
    assert client.get("/api/v1/docs").status_code == 200
