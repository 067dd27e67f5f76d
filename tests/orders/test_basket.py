"""The basket: session baskets for anonymous visitors, merged at log-in; server prices only."""

import json
from datetime import timedelta

import pytest

from homestays.models import RoomRateRule
from orders import basket as basket_service
from orders.lines import LineInvalid, get_line_kind
from orders.models import Basket, BasketLine
from orders.reservations import Claim, reserve
from tests.factories.accounts import UserFactory
from tests.factories.homestays import RoomTypeFactory

from .checkout_fixtures import stay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def add(client, data):
    return client.post("/api/v1/basket/lines", data=json.dumps(data), content_type="application/json")


def test_session_basket_merged_at_log_in(client, visitor, stay_room, stay_homestay, arrival):
    other_room = RoomTypeFactory(page=stay_homestay, units=3)
    own = Basket.objects.create(user=visitor)
    basket_service.add_line(own, stay_data(other_room, arrival))
    assert add(client, stay_data(stay_room, arrival)).status_code == 201
    assert add(client, stay_data(other_room, arrival)).status_code == 201  # already in the account's basket
    anonymous_id = client.session[basket_service.SESSION_KEY]

    client.force_login(visitor)

    assert not Basket.objects.filter(pk=anonymous_id).exists()
    basket = Basket.objects.get(user=visitor)
    assert sorted(basket.lines.values_list("object_id", flat=True)) == sorted([stay_room.pk, other_room.pk])
    lines = client.get("/api/v1/basket").json()["lines"]
    assert len(lines) == 2


def test_merge_respects_max_lines(visitor, stay_room, arrival):
    anonymous = Basket.objects.create(session_key="x")
    own = Basket.objects.create(user=visitor)
    for i in range(basket_service.MAX_LINES):
        BasketLine.objects.create(
            basket=own,
            kind="stay",
            object_id=stay_room.pk,
            start_date=arrival,
            end_date=arrival + timedelta(days=1),
            guests=1 + i % 2,
            quantity=1,
            note=str(i),
        )
    BasketLine.objects.create(
        basket=anonymous,
        kind="stay",
        object_id=stay_room.pk,
        start_date=arrival,
        end_date=arrival + timedelta(days=3),
    )
    merged = basket_service.merge_baskets(anonymous, visitor)
    assert merged.lines.count() == basket_service.MAX_LINES


def test_prices_are_server_prices(visitor, stay_room, arrival):
    basket = Basket.objects.create(user=visitor)
    line = basket_service.add_line(
        basket,
        {**stay_data(stay_room, arrival, nights=3), "price_fen": 1, "total_fen": 1, "unit_price_fen": 1},
    )
    summary = basket_service.summarize(basket)
    assert summary.total.fen == 90000
    assert summary.lines[0].price.unit.fen == 90000
    # A price change after adding shows at once (never a stored price).
    RoomRateRule.objects.create(
        room_type=stay_room, kind="price", start_date=arrival, end_date=arrival, price_fen=10000
    )
    assert basket_service.summarize(basket).total.fen == 70000
    assert line.quantity == 1


def test_unavailable_line_shown_with_reason(visitor, stay_room, arrival):
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(basket, stay_data(stay_room, arrival))
    reserve([Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))], holder=UserFactory())
    summary = basket_service.summarize(basket)
    (view,) = summary.lines
    assert not view.available and view.reason
    assert summary.total.fen == 0


def test_closed_night_shown_with_reason(visitor, stay_room, arrival):
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(basket, stay_data(stay_room, arrival))
    RoomRateRule.objects.create(room_type=stay_room, kind="closed", start_date=arrival, end_date=arrival)
    (view,) = basket_service.summarize(basket).lines
    assert not view.available and "closed" in view.reason


def test_unpublished_room_unavailable(visitor, stay_room, arrival):
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(basket, stay_data(stay_room, arrival))
    stay_room.page.unpublish()
    (view,) = basket_service.summarize(basket).lines
    assert not view.available


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "stay"},
        {
            "kind": "stay",
            "room_type_id": True,
            "check_in": "2030-01-01",
            "check_out": "2030-01-02",
            "guests": 1,
        },
        {"kind": None},
        {"kind": "stay", "room_type_id": "1; drop table", "guests": 1},
    ],
)
def test_validate_rejects(data):
    with pytest.raises(LineInvalid):
        get_line_kind(data.get("kind")).validate(data)


def test_long_stay_refused(visitor, stay_room, arrival):
    basket = Basket.objects.create(user=visitor)
    with pytest.raises(LineInvalid) as info:
        basket_service.add_line(basket, stay_data(stay_room, arrival, nights=400))
    assert "check_out" in info.value.errors


def test_basket_full(visitor, stay_room, arrival, monkeypatch):
    monkeypatch.setattr(basket_service, "MAX_LINES", 2)
    basket = Basket.objects.create(user=visitor)
    basket_service.add_line(basket, stay_data(stay_room, arrival, nights=1))
    basket_service.add_line(basket, stay_data(stay_room, arrival, nights=2))
    with pytest.raises(LineInvalid):
        basket_service.add_line(basket, stay_data(stay_room, arrival, nights=3))
    assert basket.lines.count() == 2


def test_session_cannot_reach_users_basket(client, visitor, stay_room, arrival):
    own = Basket.objects.create(user=visitor)
    basket_service.add_line(own, stay_data(stay_room, arrival))
    session = client.session
    session[basket_service.SESSION_KEY] = own.pk  # a forged session pointing at someone's basket
    session.save()
    assert client.get("/api/v1/basket").json()["lines"] == []


def test_expired_line_shown_and_refused_at_checkout(visitor, stay_room, arrival):
    from orders.exceptions import DatesUnavailable

    from .checkout_fixtures import check_out

    basket = Basket.objects.create(user=visitor)
    past = arrival - timedelta(days=60)
    BasketLine.objects.create(
        basket=basket, kind="stay", object_id=stay_room.pk, start_date=past, end_date=past + timedelta(days=1)
    )
    (view,) = basket_service.summarize(basket).lines
    assert not view.available and "past" in view.reason
    with pytest.raises(DatesUnavailable):
        check_out(visitor, basket)
    assert basket.lines.count() == 1


def test_stale_anonymous_baskets_purged(visitor):
    from django.utils import timezone

    old = Basket.objects.create(session_key="old")
    Basket.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    fresh = Basket.objects.create(session_key="fresh")
    own = Basket.objects.create(user=visitor)
    Basket.objects.filter(pk=own.pk).update(updated_at=timezone.now() - timedelta(days=90))
    assert basket_service.purge_stale_baskets() == 1
    assert set(Basket.objects.values_list("pk", flat=True)) == {fresh.pk, own.pk}
