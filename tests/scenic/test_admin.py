"""Counter systems are created in the admin: the token is shown once, only its hash is kept, and
it works at once against the API."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from scenic.models import CarPark, ParkingCounter

from .conftest import make_car_park

pytestmark = pytest.mark.django_db


def test_creating_a_counter_shows_its_token_once_and_keeps_only_the_hash(english_admin_client, car_park):
    response = english_admin_client.post(
        reverse("wagtailsnippets_scenic_parkingcounter:add"),
        {"name": "东门道闸", "car_parks": [car_park.pk], "active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    token = re.search(r"<code>(typ_[\w-]+)</code>", shown)[1]
    counter = ParkingCounter.objects.get()
    assert token not in counter.token_hash and counter.token_hint == token[:10]
    answer = english_admin_client.post(
        f"/api/v1/parking/{car_park.pk}/count",
        json.dumps({"free": 9}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 200
    assert CarPark.objects.get(pk=car_park.pk).free_spaces == 9


def test_a_car_park_cannot_shrink_below_its_free_spaces(english_admin_client):
    car_park = make_car_park("石板街停车场", total=100, free=60)
    response = english_admin_client.post(
        reverse("wagtailsnippets_scenic_carpark:edit", args=[car_park.pk]),
        {
            "name": car_park.name,
            "name_en": "",
            "village": "",
            "latitude": "",
            "longitude": "",
            "total_spaces": "50",
        },
    )
    assert response.status_code == 200
    assert "the total cannot be below that" in response.text
    assert CarPark.objects.get(pk=car_park.pk).total_spaces == 100


def test_a_new_car_park_starts_with_every_space_free(english_admin_client):
    response = english_admin_client.post(
        reverse("wagtailsnippets_scenic_carpark:add"),
        {
            "name": "新停车场",
            "name_en": "",
            "village": "",
            "latitude": "",
            "longitude": "",
            "total_spaces": "80",
        },
    )
    assert response.status_code == 302
    assert CarPark.objects.get(name="新停车场").free_spaces == 80
