"""A translated homestay's room types are copies of the Chinese ones: whatever id names a room,
the one inventory row (the default-locale room type) is locked, counted and closed."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from homestays.models import RateRuleKind
from orders.exceptions import DatesUnavailable, SoldOut
from orders.models import BasketLine, Order, Reservation, ReservationKind
from orders.reservations import Claim, reserve
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.homestays import RoomRateRuleFactory, RoomTypeFactory
from tests.factories.orders import ReservationFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out, stay_data

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def last_room(homestay):
    return RoomTypeFactory(page=homestay, name="山景房", units=1, max_guests=2, base_price_fen=30000)


@pytest.fixture
def english_room(last_room, en_locale):
    """The same room on the English page; an editor there has raised its unit count."""
    translated = last_room.page.copy_for_translation(en_locale, copy_parents=True)
    translated.save_revision().publish()
    room = translated.room_types.get()
    room.name, room.units = "Mountain view room", 3
    room.save()
    assert room.pk != last_room.pk and room.translation_key == last_room.translation_key
    return room


def add_line(client, room, day, **extra):
    return client.post(
        "/api/v1/basket/lines",
        data=json.dumps(stay_data(room, day, **extra)),
        content_type="application/json",
    )


def test_last_room_sold_through_the_chinese_id_is_refused_through_the_english_one(
    client, last_room, english_room, monday
):
    first = VerifiedUserFactory()
    check_out(first, basket_with_stay(first, last_room, monday))
    response = add_line(client, english_room, monday)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()


def test_two_baskets_for_the_last_room_make_one_order(last_room, english_room, monday):
    first, second = VerifiedUserFactory(), VerifiedUserFactory()
    chinese_basket = basket_with_stay(first, last_room, monday)
    english_basket = basket_with_stay(second, english_room, monday)
    check_out(first, chinese_basket)
    with pytest.raises(SoldOut):
        check_out(second, english_basket)
    assert Order.objects.count() == 1
    live = Reservation.objects.filter(kind=ReservationKind.STAY).exclude(status="cancelled")
    assert list(live.values_list("object_id", flat=True)) == [last_room.pk]


def test_english_id_books_the_chinese_room(client, visitor, last_room, english_room, monday):
    client.force_login(visitor)
    response = add_line(client, english_room, monday)
    assert response.status_code == 201, response.content
    assert BasketLine.objects.get().object_id == last_room.pk
    order = check_out(visitor).order
    assert [r.object_id for r in Reservation.objects.filter(order_line__order=order)] == [last_room.pk]
    # The Chinese room's own unit count rules, not the English copy's three.
    assert add_line(client, last_room, monday).status_code == 409


def test_closed_night_is_refused_through_the_english_id(client, last_room, english_room, monday):
    RoomRateRuleFactory(
        room_type=last_room,
        kind=RateRuleKind.CLOSED,
        start_date=monday + timedelta(days=1),
        end_date=monday + timedelta(days=1),
    )
    response = add_line(client, english_room, monday)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()


def test_closed_night_is_refused_on_the_homestay_page_through_the_english_id(
    client, last_room, english_room, monday
):
    RoomRateRuleFactory(room_type=last_room, kind=RateRuleKind.CLOSED, start_date=monday, end_date=monday)
    data = {key: value for key, value in stay_data(english_room, monday).items() if key != "kind"}
    response = client.post("/basket/add/", data)
    assert response.status_code == 302
    assert not BasketLine.objects.exists()


def test_reserve_counts_the_chinese_room_whatever_id_it_is_given(last_room, english_room, monday):
    end = monday + timedelta(days=2)
    (held,) = reserve([Claim(ReservationKind.STAY, english_room.pk, 1, monday, end)])
    assert held.object_id == last_room.pk
    assert held.inventory_key == f"stay:{last_room.pk}"
    with pytest.raises(SoldOut):
        reserve([Claim(ReservationKind.STAY, last_room.pk, 1, monday, end)])
    with pytest.raises(SoldOut):
        reserve([Claim(ReservationKind.STAY, english_room.pk, 1, monday, end)])


def test_reserve_closes_the_chinese_rooms_nights_for_the_english_id(last_room, english_room, monday):
    RoomRateRuleFactory(room_type=last_room, kind=RateRuleKind.CLOSED, start_date=monday, end_date=monday)
    with pytest.raises(DatesUnavailable):
        reserve([Claim(ReservationKind.STAY, english_room.pk, 1, monday, monday + timedelta(days=1))])
    assert not Reservation.objects.exists()


def test_english_room_without_a_chinese_original_cannot_be_booked(client, homestay, en_locale, monday):
    translated = homestay.copy_for_translation(en_locale, copy_parents=True)
    translated.save_revision().publish()
    english_only = RoomTypeFactory(page=translated, units=2, max_guests=2, base_price_fen=30000)
    response = add_line(client, english_only, monday)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "room_type_id"]


def test_claims_left_on_the_english_room_are_moved_to_the_chinese_one(last_room, english_room, monday):
    end = monday + timedelta(days=2)
    # What the old code left behind: a confirmed claim on the copy, invisible to the original.
    stale = ReservationFactory(
        kind=ReservationKind.STAY, object_id=english_room.pk, start_date=monday, end_date=end, confirmed=True
    )
    english_only = RoomTypeFactory(page=english_room.page, units=1, base_price_fen=30000)
    ReservationFactory(kind=ReservationKind.STAY, object_id=english_only.pk, start_date=monday, end_date=end)
    out = StringIO()
    call_command("orders_move_translated_claims", stdout=out)
    stale.refresh_from_db()
    assert (stale.object_id, stale.inventory_key) == (last_room.pk, f"stay:{last_room.pk}")
    assert f"stay {english_room.pk} -> {last_room.pk}: 1 reservation(s)" in out.getvalue()
    assert f"stay {english_only.pk}: a translated copy without an original" in out.getvalue()
    with pytest.raises(SoldOut):
        reserve([Claim(ReservationKind.STAY, last_room.pk, 1, monday, end)])
    call_command("orders_move_translated_claims", stdout=(again := StringIO()))
    assert "0 translated row(s) moved." in again.getvalue()
