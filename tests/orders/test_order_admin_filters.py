"""The staff orders list: filters by status, date, village and kind; each order listed once."""

from datetime import timedelta

import pytest

from homestays.models import HomestayPage
from orders.reservations import local_today
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory
from tests.factories.town import VillageFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


@pytest.fixture
def two_villages(stay_homestay, stay_room, arrival):
    """An order in 桃花坞 with two stays, and one in 竹溪 with one."""
    peach, bamboo = VillageFactory(name="桃花坞"), VillageFactory(name="竹溪")
    HomestayPage.objects.filter(pk=stay_homestay.pk).update(village=peach)
    stay_room.units = 3
    stay_room.save()
    other_page = HomestayPageFactory(parent=stay_homestay.get_parent(), village=bamboo)
    other_room = RoomTypeFactory(page=other_page, units=1, base_price_fen=20000, max_guests=2)

    first, second = VerifiedUserFactory(), VerifiedUserFactory()
    basket_with_stay(first, stay_room, arrival)
    basket_with_stay(first, stay_room, arrival + timedelta(days=7))
    peach_order = check_out(first).order
    basket_with_stay(second, other_room, arrival)
    bamboo_order = check_out(second).order
    assert {line.village_id for line in peach_order.lines.all()} == {peach.pk}
    assert bamboo_order.lines.get().village == bamboo
    return peach, bamboo, peach_order, bamboo_order


@pytest.fixture
def staff_client(client):
    client.force_login(SuperuserFactory())
    return client


def listed(client, **params):
    response = client.get("/admin/orders/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_village_filter(staff_client, two_villages):
    peach, bamboo, peach_order, bamboo_order = two_villages
    page = listed(staff_client, lines__village=peach.pk)
    assert page.count(peach_order.reference) >= 1 and bamboo_order.reference not in page
    page = listed(staff_client, lines__village=bamboo.pk)
    assert bamboo_order.reference in page and peach_order.reference not in page
    # The filter offers the villages by name.
    assert "桃花坞" in listed(staff_client) and "竹溪" in listed(staff_client)


def test_line_filters_list_each_order_once(staff_client, two_villages):
    peach, _bamboo, peach_order, _bamboo_order = two_villages
    for params in ({"lines__village": peach.pk}, {"lines__kind": "stay"}):
        export = staff_client.get("/admin/orders/", {**params, "export": "csv"})
        rows = b"".join(export.streaming_content).decode().splitlines()
        assert sum(peach_order.reference in row for row in rows) == 1, params


def test_kind_status_and_date_filters(staff_client, two_villages):
    _peach, _bamboo, peach_order, bamboo_order = two_villages
    page = listed(staff_client, lines__kind="stay")
    assert peach_order.reference in page and bamboo_order.reference in page
    page = listed(staff_client, lines__kind="ticket")
    assert peach_order.reference not in page and bamboo_order.reference not in page
    page = listed(staff_client, status="confirmed")
    assert peach_order.reference in page
    assert peach_order.reference not in listed(staff_client, status="cancelled")
    today = local_today()
    page = listed(staff_client, created_at_from=today.isoformat(), created_at_to=today.isoformat())
    assert peach_order.reference in page
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert peach_order.reference not in listed(staff_client, created_at_from=tomorrow)
    yesterday = (today - timedelta(days=1)).isoformat()
    assert peach_order.reference not in listed(staff_client, created_at_to=yesterday)


def test_unknown_village_is_a_filter_error_not_a_500(staff_client, two_villages):
    response = staff_client.get("/admin/orders/", {"lines__village": "999999"})
    assert response.status_code == 200
