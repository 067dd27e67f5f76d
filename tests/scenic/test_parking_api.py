"""POST /api/v1/parking/{id}/count: a counter system reports free spaces with its own token."""

import json

import pytest
from django.test import Client

from scenic.models import CarPark, ParkingCounter
from scenic.parking import TOKEN_PREFIX

from .conftest import make_car_park, make_counter

pytestmark = pytest.mark.django_db


def post(car_park_id, body, token=None, client=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return (client or Client()).post(
        f"/api/v1/parking/{car_park_id}/count", json.dumps(body), content_type="application/json", **headers
    )


def free_of(car_park):
    return CarPark.objects.get(pk=car_park.pk).free_spaces


def test_a_counter_sets_the_free_spaces(car_park, counter):
    _counter, token = counter
    response = post(car_park.pk, {"free": 12}, token)
    assert response.status_code == 200, response.content
    assert response.json() == {"id": car_park.pk, "free": 12, "total": 100}
    assert free_of(car_park) == 12


def test_a_counter_reports_a_change(car_park, counter):
    _counter, token = counter
    assert post(car_park.pk, {"change": -1}, token).json()["free"] == 49
    assert post(car_park.pk, {"change": 2}, token).json()["free"] == 51
    assert ParkingCounter.objects.get().last_used_at is not None


def test_only_the_tokens_hash_is_stored(counter):
    stored, token = counter
    assert token.startswith(TOKEN_PREFIX)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.token_hint == token[:10]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"free": -1}, "below zero"),
        ({"free": 101}, "more than this car park has"),
        ({"change": -51}, "between 0 and 100"),
        ({"change": 51}, "between 0 and 100"),
        ({}, "exactly one"),
        ({"free": 3, "change": 1}, "exactly one"),
    ],
)
def test_bad_counts_get_422_with_the_reason_and_nothing_is_stored(car_park, counter, body, fragment):
    _counter, token = counter
    response = post(car_park.pk, body, token, client=Client(HTTP_ACCEPT_LANGUAGE="en"))
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert free_of(car_park) == 50


@pytest.mark.parametrize("body", [{"free": "lots"}, {"free": 2.5}, {"change": 10**9}])
def test_values_that_are_no_count_get_422(car_park, counter, body):
    _counter, token = counter
    assert post(car_park.pk, body, token).status_code == 422
    assert free_of(car_park) == 50


def test_a_refusal_is_in_chinese_by_default(car_park, counter):
    _counter, token = counter
    response = post(car_park.pk, {"free": -1}, token)
    assert response.status_code == 422
    assert "不能" in response.json()["detail"]


@pytest.mark.parametrize("token", [None, "typ_not-a-real-token", "ty_an-app-token"])
def test_an_unknown_or_missing_token_gets_401_and_nothing_is_stored(car_park, counter, token):
    response = post(car_park.pk, {"free": 3}, token)
    assert response.status_code == 401
    assert free_of(car_park) == 50


def test_a_switched_off_counter_gets_401(car_park):
    _counter, token = make_counter(car_park, active=False)
    response = post(car_park.pk, {"free": 3}, token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_a_counter_may_count_only_its_own_car_parks(car_park, counter):
    _counter, token = counter
    other = make_car_park("桃花坞停车场", free=10)
    response = post(other.pk, {"free": 3}, token)
    assert response.status_code == 403
    assert response.json()["code"] == "not_this_car_park"
    assert free_of(other) == 10


def test_an_unknown_car_park_gets_404(counter):
    _counter, token = counter
    response = post(987654, {"free": 3}, token)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_car_park"


def test_the_openapi_schema_documents_the_count_and_its_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    count = schema["paths"]["/api/v1/parking/{car_park_id}/count"]["post"]
    assert set(count["responses"]) >= {"200", "401", "403", "404", "422"}
    now = schema["paths"]["/api/v1/now"]["get"]
    assert "200" in now["responses"]
    assert {"spots", "car_parks", "notices"} <= set(schema["components"]["schemas"]["NowOut"]["properties"])


def post_keyed(car_park_id, body, token, key):
    return Client().post(
        f"/api/v1/parking/{car_park_id}/count",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_request_sent_again_with_its_idempotency_key_counts_once(car_park, counter):
    _counter, token = counter
    first = post_keyed(car_park.pk, {"change": -1}, token, "retry-7f3a")
    assert first.status_code == 200 and first.json()["free"] == 49
    post(car_park.pk, {"change": -1}, token)  # another car, without a key
    again = post_keyed(car_park.pk, {"change": -1}, token, "retry-7f3a")
    # The answer the first one had; nothing counted.
    assert again.status_code == 200 and again.json() == {"id": car_park.pk, "free": 49, "total": 100}
    assert free_of(car_park) == 48
    assert post_keyed(car_park.pk, {"change": -1}, token, "retry-8a4b").json()["free"] == 47
    assert free_of(car_park) == 47


def test_a_bad_or_borrowed_idempotency_key_gets_422_and_nothing_is_stored(car_park, counter):
    _counter, token = counter
    other = make_car_park("茶山停车场", total=30, free=10)
    counter[0].car_parks.add(other)
    assert post_keyed(other.pk, {"change": -1}, token, "key-1").status_code == 200
    borrowed = post_keyed(car_park.pk, {"change": -1}, token, "key-1")
    assert borrowed.status_code == 422 and borrowed.json()["code"] == "idempotency_key_invalid"
    too_long = post_keyed(car_park.pk, {"change": -1}, token, "k" * 65)
    assert too_long.status_code == 422 and too_long.json()["code"] == "idempotency_key_invalid"
    assert free_of(car_park) == 50


def test_the_openapi_schema_documents_the_idempotency_key(client):
    schema = client.get("/api/v1/openapi.json").json()
    count = schema["paths"]["/api/v1/parking/{car_park_id}/count"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in count["parameters"])
    now = schema["paths"]["/api/v1/now"]["get"]
    assert any(p["name"] == "lang" and p["in"] == "query" for p in now["parameters"])
