"""The order line keeps its village, whatever later edits do. (A kind's options travelling from
basket to order line are tested with the real tour line, in tests/attractions.)"""

import pytest

from homestays.models import HomestayPage
from tests.factories.town import VillageFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


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
