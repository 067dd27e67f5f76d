import pytest
from django.urls import reverse

from tests.factories.orders import ReservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="staff@example.com", password="x")
    client.force_login(user)
    return client


def test_staff_see_reservations_listed_and_filtered_by_status(admin_client):
    ReservationFactory(inventory_key="tour:41", object_id=41)
    ReservationFactory(inventory_key="tour:42", object_id=42, confirmed=True)
    response = admin_client.get(reverse("reservations:index"), {"status": "confirmed"})
    assert response.status_code == 200
    assert "tour:42" in response.text
    assert "tour:41" not in response.text


def test_reservations_cannot_be_edited_in_the_admin(admin_client):
    reservation = ReservationFactory()
    response = admin_client.get(reverse("reservations:edit", args=[reservation.pk]))
    # Wagtail turns a permission denial into a redirect to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_reservations_cannot_be_added_in_the_admin(admin_client):
    response = admin_client.get(reverse("reservations:add"))
    assert response.status_code != 200


def test_staff_can_search_reservations_by_inventory_key(admin_client):
    ReservationFactory(inventory_key="stay:77", kind="stay", object_id=77)
    ReservationFactory(inventory_key="tour:5", object_id=5)
    response = admin_client.get(reverse("reservations:index"), {"q": "stay:77"})
    assert response.status_code == 200
    assert "stay:77" in response.text
    assert "tour:5" not in response.text


def test_staff_can_inspect_a_reservation(admin_client):
    reservation = ReservationFactory(inventory_key="tour:9", object_id=9)
    response = admin_client.get(reverse("reservations:inspect", args=[reservation.pk]))
    assert response.status_code == 200
    assert "tour:9" in response.text
