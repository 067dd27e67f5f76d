"""/parking/: staff with the counting permission update free spaces from a phone."""

import pytest
from django.contrib.auth.models import Permission

from scenic.models import CarPark
from tests.factories.accounts import VerifiedUserFactory

pytestmark = pytest.mark.django_db

URL = "/parking/"


@pytest.fixture
def counting_staff(client):
    user = VerifiedUserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="count_parking", content_type__app_label="scenic")
    )
    client.force_login(user)
    return client


def free_of(car_park):
    return CarPark.objects.get(pk=car_park.pk).free_spaces


def test_an_anonymous_visitor_is_sent_to_log_in(client, car_park):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post(URL, {"car_park": car_park.pk, "action": "in"}).status_code == 302
    assert free_of(car_park) == 50


def test_an_account_without_the_permission_is_refused(client, car_park):
    client.force_login(VerifiedUserFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"car_park": car_park.pk, "action": "in"}).status_code == 403
    assert free_of(car_park) == 50


def test_staff_see_each_car_park_with_its_free_spaces(counting_staff, car_park):
    response = counting_staff.get(URL)
    assert response.status_code == 200
    assert "石板街停车场" in response.text
    assert f'id="car-park-{car_park.pk}"' in response.text


def test_a_car_in_and_a_car_out(counting_staff, car_park):
    response = counting_staff.post(URL, {"car_park": car_park.pk, "action": "in"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#car-park-{car_park.pk}")
    assert free_of(car_park) == 49
    counting_staff.post(URL, {"car_park": car_park.pk, "action": "out"})
    counting_staff.post(URL, {"car_park": car_park.pk, "action": "out"})
    assert free_of(car_park) == 51


def test_a_typed_count(counting_staff, car_park):
    counting_staff.post(URL, {"car_park": car_park.pk, "action": "set", "free": "8"})
    assert free_of(car_park) == 8


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"action": "set", "free": "101"}, 422),
        ({"action": "set", "free": "-3"}, 422),
        ({"action": "set", "free": "很多"}, 422),
        ({"action": "set", "free": ""}, 422),
        ({"action": "jump"}, 422),
    ],
)
def test_a_bad_count_shows_why_and_stores_nothing(counting_staff, car_park, data, status):
    response = counting_staff.post(URL, {"car_park": car_park.pk, **data})
    assert response.status_code == status
    assert 'role="alert"' in response.text
    assert free_of(car_park) == 50


def test_a_car_in_at_a_full_car_park_is_refused(counting_staff, car_park):
    CarPark.objects.filter(pk=car_park.pk).update(free_spaces=0)
    response = counting_staff.post(URL, {"car_park": car_park.pk, "action": "in"})
    assert response.status_code == 422
    assert free_of(car_park) == 0


def test_an_unknown_car_park_is_404(counting_staff, car_park):
    assert counting_staff.post(URL, {"car_park": "987654", "action": "in"}).status_code == 404
    assert counting_staff.post(URL, {"car_park": "abc", "action": "in"}).status_code == 404


def test_a_press_sent_again_counts_once_and_each_new_press_counts(counting_staff, car_park):
    press = {"car_park": car_park.pk, "action": "in", "press_key": "5b0a6c1e-3f0d-4d55-9a8b-0c7e1f2d3a44"}
    for _ in range(3):
        assert counting_staff.post(URL, press).status_code == 302
    assert free_of(car_park) == 49
    counting_staff.post(URL, {**press, "press_key": "6c1b7d2f-4a1e-4e66-8b9c-1d8f2a3e4b55"})
    assert free_of(car_park) == 48


def test_the_page_makes_a_key_per_press(counting_staff, car_park):
    page = counting_staff.get(URL).text
    assert page.count("data-press-key") == 2
    assert "js/press-key" in page


def test_a_key_that_cannot_be_one_is_refused_and_nothing_counted(counting_staff, car_park):
    response = counting_staff.post(URL, {"car_park": car_park.pk, "action": "in", "press_key": "x" * 65})
    assert response.status_code == 422
    assert free_of(car_park) == 50
