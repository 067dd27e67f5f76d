import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from events.models import EventIndexPage, EventPage
from events.selectors import BadMonth, parse_month
from home.models import HomePage
from tests.factories.events import EventPageFactory

pytestmark = pytest.mark.django_db


def test_event_ending_before_it_starts_is_rejected_on_the_end_field(event_index):
    event = EventPageFactory(parent=event_index)
    event.end = event.start - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    with translation.override("en"):
        assert error.value.message_dict["end"] == ["The event cannot end before it starts."]


def test_event_may_end_when_it_starts(event_index):
    event = EventPageFactory(parent=event_index)
    event.end = event.start
    event.full_clean()


def test_event_pages_go_only_under_the_event_index(home_page, event_index):
    assert EventPage.allowed_parent_page_models() == [EventIndexPage]
    assert not EventPage.can_create_at(home_page)
    assert EventPage.can_create_at(event_index)


def test_event_index_goes_under_the_home_page(home_page):
    assert EventIndexPage.allowed_parent_page_models() == [HomePage]
    assert EventIndexPage.allowed_subpage_models() == [EventPage]


def test_structured_data_is_an_event_in_china_time_with_the_venue(event_index, venue):
    start = datetime.datetime(2026, 3, 20, 1, 30, tzinfo=datetime.UTC)
    event = EventPageFactory(
        parent=event_index, title="桃花节", start=start, end=start + datetime.timedelta(hours=8), venue=venue
    )
    data = event.structured_data()
    assert data["@type"] == "Event"
    assert data["startDate"] == "2026-03-20T09:30:00+08:00"
    assert data["endDate"] == "2026-03-20T17:30:00+08:00"
    assert data["location"]["name"] == "桃花坞桃园"
    assert data["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 29.63, "longitude": 118.24}
    assert data["organizer"]["name"] == "青溪镇旅游办"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


@pytest.mark.parametrize("value", ["abc", "2026-13", "-1", "2026-00", "2026-1", "0000-01", ""])
def test_parse_month_rejects_what_is_not_a_month(value):
    with pytest.raises(BadMonth):
        parse_month(value)


def test_parse_month_gives_the_month_in_china_time():
    start, end = parse_month("2026-12")
    assert start.isoformat() == "2026-12-01T00:00:00+08:00"
    assert end.isoformat() == "2027-01-01T00:00:00+08:00"
