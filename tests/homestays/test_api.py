"""The JSON API: /api/v1/homestays/availability and /api/v1/homestays/{id}/calendar."""

from datetime import timedelta

import pytest

from homestays.models import RateRuleKind
from orders.reservations import local_today
from tests.factories.homestays import HomestayPageFactory, RoomRateRuleFactory, RoomTypeFactory

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
    page = response.json()
    assert (page["count"], page["page"], page["per_page"], page["pages"]) == (1, 1, 20, 1)
    (item,) = page["results"]
    assert item["room_type_id"] == room.pk
    assert item["homestay_id"] == room.page_id
    assert (item["nights"], item["total_fen"], item["currency"]) == (2, 60000, "CNY")


def test_availability_is_paginated_and_sorts_by_price_on_request(client, index_page, monday):
    prices = [52000, 31000, 44000]
    rooms = [RoomTypeFactory(page=HomestayPageFactory(parent=index_page), base_price_fen=p) for p in prices]
    stay = {"check_in": monday.isoformat(), "check_out": (monday + timedelta(days=1)).isoformat()}
    first = client.get(AVAILABILITY, {**stay, "per_page": 2}).json()
    second = client.get(AVAILABILITY, {**stay, "per_page": 2, "page": 2}).json()
    assert (first["count"], first["pages"], len(first["results"]), len(second["results"])) == (3, 2, 2, 1)
    in_tree_order = [r["room_type_id"] for r in first["results"] + second["results"]]
    assert in_tree_order == [r.pk for r in rooms]
    cheapest = client.get(AVAILABILITY, {**stay, "sort": "price"}).json()["results"]
    assert [r["total_fen"] for r in cheapest] == sorted(prices)


@pytest.mark.parametrize("bad", [{"page": 0}, {"per_page": 101}, {"sort": "random"}])
def test_availability_with_bad_paging_is_422(client, room, monday, bad):
    stay = {"check_in": monday.isoformat(), "check_out": (monday + timedelta(days=1)).isoformat()}
    assert client.get(AVAILABILITY, {**stay, **bad}).status_code == 422


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
