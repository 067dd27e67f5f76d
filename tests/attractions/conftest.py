import pytest

from tests.factories.attractions import AttractionIndexPageFactory
from tests.factories.town import VillageFactory


@pytest.fixture
def attraction_index(home_page):
    return AttractionIndexPageFactory(parent=home_page)


@pytest.fixture
def village(db):
    return VillageFactory(name="桃花坞", slug="taohuawu")


@pytest.fixture
def num_queries(django_assert_num_queries):
    return django_assert_num_queries


# Fixtures of the tour tests (experiences, slots).
from .tour_fixtures import meeting_point, picking, slot  # noqa: E402, F401
