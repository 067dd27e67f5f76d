"""The JSON API: basket, checkout and orders, with session auth and CSRF."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from orders.models import Basket, BasketLine, Order
from orders.reservations import Claim, reserve
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .checkout_fixtures import stay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def api(client):
    return client


@pytest.fixture
def logged_in(client, visitor):
    client.force_login(visitor)
    return client


def test_anonymous_basket_add_list_delete(api, stay_room, arrival):
    response = post(
        api, "/api/v1/basket/lines", {**stay_data(stay_room, arrival), "price_fen": 1, "total_fen": 1}
    )
    assert response.status_code == 201, response.content
    line = response.json()
    assert line["total_fen"] == 60000 and line["available"] is True and line["kind"] == "stay"
    basket = api.get("/api/v1/basket").json()
    assert basket["total_fen"] == 60000 and basket["currency"] == "CNY"
    assert [item["id"] for item in basket["lines"]] == [line["id"]]
    assert api.delete(f"/api/v1/basket/lines/{line['id']}").status_code == 204
    assert api.get("/api/v1/basket").json()["lines"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"guests": -1}, "guests"),
        ({"guests": 10**9}, "guests"),
        ({"guests": 3}, "guests"),  # the room sleeps 2
        ({"rooms": 0}, "rooms"),
        ({"rooms": 5}, "rooms"),  # the homestay has 1
        ({"room_type_id": 999999}, "room_type_id"),
        ({"room_type_id": -4}, "room_type_id"),
        ({"check_in": "2020-01-01"}, "check_in"),
        ({"check_in": "not a date"}, "check_in"),
        ({"check_out": "2020-01-01"}, "check_out"),
    ],
)
def test_bad_lines_422_per_field(api, stay_room, arrival, change, field):
    response = post(api, "/api/v1/basket/lines", {**stay_data(stay_room, arrival), **change})
    assert response.status_code == 422, response.content
    fields = [error["loc"][-1] for error in response.json()["detail"]]
    assert field in fields
    assert not BasketLine.objects.exists()


def test_unknown_kind_422(api):
    response = post(api, "/api/v1/basket/lines", {"kind": "spaceship"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "kind"]


def test_malformed_body_422(api):
    response = post(api, "/api/v1/basket/lines", {"kind": "stay", "guests": "many"})
    assert response.status_code == 422


def test_sold_out_line_409(api, stay_room, arrival):
    reserve([Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))], holder=UserFactory())
    response = post(api, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    assert response.status_code == 409
    assert response.json()["detail"]


def test_another_users_line_404(api, stay_room, arrival):
    other = Basket.objects.create(user=UserFactory())
    line = BasketLine.objects.create(
        basket=other,
        kind="stay",
        object_id=stay_room.pk,
        start_date=arrival,
        end_date=arrival + timedelta(days=1),
    )
    assert api.delete(f"/api/v1/basket/lines/{line.pk}").status_code == 404
    assert BasketLine.objects.filter(pk=line.pk).exists()


def test_csrf_enforced_on_writes(stay_room, arrival, visitor):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(visitor)
    assert post(client, "/api/v1/basket/lines", stay_data(stay_room, arrival)).status_code == 403
    assert client.get("/api/v1/basket").status_code == 200
    assert (
        post(client, "/api/v1/checkout", {"contact_name": "a", "contact_phone": "13800000000"}).status_code
        == 403
    )


def test_checkout_on_site(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(
        logged_in,
        "/api/v1/checkout",
        {"payment_method": "on_site", "contact_name": "李华", "contact_phone": "13800000000", "total_fen": 1},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["total_fen"] == 60000 and body["currency"] == "CNY"
    assert body["client_secret"] is None
    order = logged_in.get(f"/api/v1/orders/{body['order_ref']}").json()
    assert order["lines"][0]["total_fen"] == 60000 and order["lines"][0]["voucher_code"]
    assert order["payments"] == [
        {"provider": "on_site", "status": "pending", "amount_fen": 60000, "refunded_fen": 0}
    ]


def test_checkout_online_returns_client_secret(logged_in, stay_room, arrival, fake_online):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(
        logged_in,
        "/api/v1/checkout",
        {"payment_method": "fake_online", "contact_name": "李华", "contact_phone": "13800000000"},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert response.json()["client_secret"].startswith("secret_")


def test_checkout_sold_out_409_and_nothing_written(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    reserve([Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))], holder=UserFactory())
    response = post(logged_in, "/api/v1/checkout", {"contact_name": "李华", "contact_phone": "13800000000"})
    assert response.status_code == 409
    assert response.json()["code"] == "sold_out"
    assert not Order.objects.exists()
    assert BasketLine.objects.count() == 1


def test_checkout_validation_422(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(
        logged_in, "/api/v1/checkout", {"contact_name": "", "contact_phone": "x", "payment_method": "gold"}
    )
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert {"contact_name", "contact_phone"} <= fields or "payment_method" in fields


def test_checkout_double_submit_same_token(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    data = {"contact_name": "李华", "contact_phone": "13800000000", "token": str(uuid.uuid4())}
    first = post(logged_in, "/api/v1/checkout", data)
    second = post(logged_in, "/api/v1/checkout", data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["order_ref"] == second.json()["order_ref"]
    assert Order.objects.count() == 1


def test_checkout_empty_basket_400(logged_in):
    response = post(logged_in, "/api/v1/checkout", {"contact_name": "李华", "contact_phone": "13800000000"})
    assert response.status_code == 400


def test_checkout_anonymous_401_unverified_403(api, stay_room, arrival):
    data = {"contact_name": "李华", "contact_phone": "13800000000"}
    assert post(api, "/api/v1/checkout", data).status_code == 401
    api.force_login(UserFactory())
    post(api, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(api, "/api/v1/checkout", data)
    assert response.status_code == 403
    assert response.json()["code"] == "unverified_email" and response.json()["detail"]
    assert not Order.objects.exists()


def test_another_users_order_404(logged_in, stay_room, arrival):
    other = VerifiedUserFactory()
    from tests.factories.orders import OrderFactory

    order = OrderFactory(user=other)
    assert logged_in.get(f"/api/v1/orders/{order.reference}").status_code == 404
    assert logged_in.get("/api/v1/orders/TY-0000-NOPE").status_code == 404


CONTACT = {"contact_name": "李华", "contact_phone": "13800000000"}


def test_checkout_total_changed_409_with_the_new_total(logged_in, stay_room, arrival):
    from homestays.models import RoomType
    from orders.models import Payment, Reservation

    shown = post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival)).json()["total_fen"]
    RoomType.objects.filter(pk=stay_room.pk).update(base_price_fen=35000)
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, "shown_total_fen": shown})
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "total_changed"
    assert (body["total_fen"], body["shown_total_fen"], body["currency"]) == (70000, 60000, "CNY")
    assert "¥600.00" in body["detail"] and "¥700.00" in body["detail"]
    assert not Order.objects.exists() and not Payment.objects.exists() and not Reservation.objects.exists()
    assert BasketLine.objects.count() == 1
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, "shown_total_fen": body["total_fen"]})
    assert response.status_code == 201 and response.json()["total_fen"] == 70000


def test_checkout_matching_shown_total_201(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, "shown_total_fen": 60000})
    assert response.status_code == 201 and response.json()["total_fen"] == 60000


@pytest.mark.parametrize("shown", ["abc", "600", 600.5, True, -1, [60000]])
def test_checkout_malformed_shown_total_422(logged_in, stay_room, arrival, shown):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, "shown_total_fen": shown})
    assert response.status_code == 422, response.content
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["shown_total_fen"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("method", [{}, {"payment_method": None}, {"payment_method": "on_site"}])
def test_free_registration_checks_out_without_a_payment_provider(
    logged_in, visitor, home_page, monkeypatch, method
):
    from orders.payments import base as payments_base
    from tests.events.ticket_fixtures import ticket_data
    from tests.factories.events import TicketTypeFactory

    from .checkout_fixtures import FakeOnlineProvider

    online = FakeOnlineProvider()  # pay-on-site switched off: nothing a free order could use
    monkeypatch.setattr(payments_base, "_registry", lambda: {online.name: online})
    free_pass = TicketTypeFactory(price_fen=0, page__parent=home_page)
    assert post(logged_in, "/api/v1/basket/lines", ticket_data(free_pass, 2)).status_code == 201
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, **method, "shown_total_fen": 0})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["total_fen"], body["client_secret"]) == ("confirmed", 0, None)
    order = logged_in.get(f"/api/v1/orders/{body['order_ref']}").json()
    assert order["payments"] == [] and order["lines"][0]["voucher_code"]
    assert online.started == []


def test_checkout_without_a_method_when_something_is_to_pay_422(logged_in, stay_room, arrival):
    post(logged_in, "/api/v1/basket/lines", stay_data(stay_room, arrival))
    response = post(logged_in, "/api/v1/checkout", {**CONTACT, "payment_method": None})
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["payment_method"]
    assert not Order.objects.exists()


def test_openapi_lists_endpoints(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/basket", "/api/v1/basket/lines", "/api/v1/checkout", "/api/v1/orders/{ref}"} <= set(
        paths
    )
