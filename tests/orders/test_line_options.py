"""A line's kind-specific options travel basket → order line; the order line keeps its village."""

import json

import pytest

from homestays.models import HomestayPage
from orders import basket as basket_service
from orders import lines as lines_module
from orders.lines import CleanedLine, LineInvalid, LineKind, LinePrice, LineSnapshot, positive_int
from orders.models import Basket, BasketLine, OrderLine
from orders.money import Money
from orders.services import Claim
from tests.factories.attractions import VillageFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ADULT_FEN, CHILD_FEN = 5000, 2500


class PickingLine(LineKind):
    """Test-only: a fruit-picking slot priced per adult and child, both kept in ``options``."""

    kind = "tour"

    def __init__(self, village):
        self.village = village

    def validate(self, data):
        adults = positive_int(data, "adults", maximum=10)
        children = data.get("children", 0)
        if isinstance(children, bool) or not isinstance(children, int) or not 0 <= children <= 10:
            raise LineInvalid({"children": "0 to 10"})
        slot = positive_int(data, "slot_id", maximum=2**53)
        return CleanedLine(
            kind=self.kind,
            object_id=slot,
            guests=adults + children,
            quantity=adults + children,
            options={"adults": adults, "children": children},
        )

    def price(self, line):
        # Priced from the stored options: proves they came back from the database intact.
        fen = ADULT_FEN * line.options["adults"] + CHILD_FEN * line.options["children"]
        return LinePrice(total=Money(fen), unit=Money(ADULT_FEN))

    def claims(self, line):
        return [Claim(self.kind, line.object_id, line.quantity)]

    def describe(self, line):
        return "摘桃 Peach picking"

    def availability(self, line, *, now=None):
        return True, ""

    def snapshot(self, line):
        return LineSnapshot(title="摘桃 Peach picking", village_id=self.village.pk)


@pytest.fixture
def picking(monkeypatch, register_fake, row):
    village = VillageFactory()
    register_fake("tour", per_night=False, units=20)
    monkeypatch.setitem(lines_module._registry, "tour", PickingLine(village))
    return row, village


def test_options_flow_from_basket_to_order_line(visitor, picking, django_capture_on_commit_callbacks):
    slot, village = picking
    basket, _created = Basket.objects.get_or_create(user=visitor)
    # A tampered price in the post is ignored, as always.
    basket_service.add_line(
        basket, {"kind": "tour", "slot_id": slot.pk, "adults": 2, "children": 1, "total_fen": 1}
    )
    assert BasketLine.objects.get().options == {"adults": 2, "children": 1}
    assert basket_service.summarize(basket).total.fen == 12500

    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor).order
    line = OrderLine.objects.get(order=order)
    assert line.options == {"adults": 2, "children": 1}
    assert (line.kind, line.quantity, line.total_fen) == ("tour", 3, 12500)
    assert line.village == village
    assert line.reservations.get().quantity == 3


def test_options_show_in_the_basket_api(client, picking):
    slot, _village = picking
    response = client.post(
        "/api/v1/basket/lines",
        data=json.dumps({"kind": "tour", "slot_id": slot.pk, "adults": 1, "children": 2}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["options"] == {"adults": 1, "children": 2}
    assert client.get("/api/v1/basket").json()["lines"][0]["options"] == {"adults": 1, "children": 2}


def test_stay_order_line_keeps_the_homestays_village(visitor, stay_room, arrival):
    village = VillageFactory()
    HomestayPage.objects.filter(pk=stay_room.page_id).update(village=village)
    basket_with_stay(visitor, stay_room, arrival)
    line = check_out(visitor).order.lines.get()
    assert line.village == village
    assert line.options == {}
    # Later edits of the homestay do not move the sale to another village.
    HomestayPage.objects.filter(pk=stay_room.page_id).update(village=VillageFactory())
    line.refresh_from_db()
    assert line.village == village
