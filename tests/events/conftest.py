import pytest

from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.events import EventIndexPageFactory


@pytest.fixture
def event_index(home_page):
    return EventIndexPageFactory(parent=home_page)


@pytest.fixture
def venue(home_page):
    index = AttractionIndexPageFactory(parent=home_page)
    return AttractionPageFactory(
        parent=index, title="桃花坞桃园", address="桃花坞村口", latitude="29.630000", longitude="118.240000"
    )


@pytest.fixture
def num_queries(django_assert_num_queries):
    return django_assert_num_queries


# The ticket and gate tests' fixtures (festival, day_pass, free_pass, ...).
from .ticket_fixtures import day_pass, festival, festival_village, free_pass  # noqa: E402, F401
