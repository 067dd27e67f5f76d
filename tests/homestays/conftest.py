from datetime import timedelta

import pytest

from orders.reservations import local_today
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory


@pytest.fixture
def index_page(home_page):
    return HomestayIndexPageFactory(parent=home_page, slug="homestays")


@pytest.fixture
def homestay(index_page):
    return HomestayPageFactory(parent=index_page)


@pytest.fixture
def room(homestay):
    return RoomTypeFactory(page=homestay, units=2, base_price_fen=30000)


@pytest.fixture
def monday():
    """A Monday a few weeks ahead, so stays never start in the past and weekends are known."""
    day = local_today() + timedelta(days=21)
    return day + timedelta(days=(7 - day.weekday()) % 7)
