"""A product's English translation is its own row (own id, own copied stock field): whichever id
is posted or claimed, the Chinese row's stock is the one counted."""

import json

import pytest

from orders import reservations
from orders.exceptions import SoldOut
from orders.models import BasketLine, Reservation, ReservationKind
from tests.factories.products import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_box(db):
    return ProductFactory(name="草莓酱", stock=1)


@pytest.fixture
def english_box(last_box, en_locale):
    """The English translation; its stock field says 30, which sells nothing."""
    translation = last_box.copy_for_translation(en_locale)
    translation.name, translation.stock, translation.live = "Strawberry jam", 30, True
    translation.save()
    return translation


def add_line(client, product, quantity=1):
    data = {"kind": "product", "product_id": product.pk, "quantity": quantity, "delivery": "pickup"}
    return client.post("/api/v1/basket/lines", data=json.dumps(data), content_type="application/json")


def test_last_box_sold_through_the_chinese_id_is_refused_through_the_english_one(
    client, last_box, english_box
):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.PRODUCT, last_box.pk, 1)]))
    response = add_line(client, english_box)
    assert response.status_code == 409, response.content
    assert not BasketLine.objects.exists()


def test_english_id_books_the_chinese_stock(client, last_box, english_box):
    response = add_line(client, english_box)
    assert response.status_code == 201, response.content
    assert BasketLine.objects.get().object_id == last_box.pk
    (held,) = reservations.reserve([reservations.Claim(ReservationKind.PRODUCT, english_box.pk, 1)])
    assert held.object_id == last_box.pk
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.PRODUCT, english_box.pk, 1)])
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.PRODUCT, last_box.pk, 1)])


def test_withdrawn_product_is_refused_through_the_english_id(client, last_box, english_box):
    last_box.live = False
    last_box.save()
    response = add_line(client, english_box)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "product_id"]
    with pytest.raises(SoldOut):
        reservations.reserve([reservations.Claim(ReservationKind.PRODUCT, english_box.pk, 1)])
    assert not Reservation.objects.exists()
