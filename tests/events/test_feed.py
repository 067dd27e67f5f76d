import datetime

import pytest
from icalendar import Calendar
from wagtail.models import PageViewRestriction

from tests.factories.events import EventPageFactory
from tests.factories.home import translate

pytestmark = pytest.mark.django_db


def fetch_calendar(client, **params):
    response = client.get("/events.ics", params)
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


def summaries(calendar):
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_feed_is_a_calendar_with_the_right_headers(client, event_index):
    EventPageFactory(parent=event_index)
    response, calendar = fetch_calendar(client)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == "inline; filename=tianyuan-events.ics"
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"]) == "-//Tianyuan//Events//ZH"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert calendar["X-WR-CALNAME"]


def test_feed_holds_exactly_the_published_public_events(client, event_index):
    shown = [EventPageFactory(parent=event_index, title=f"节庆 {n}") for n in range(3)]
    past = EventPageFactory(
        parent=event_index,
        title="去年的节庆",
        start=datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC),
    )
    EventPageFactory(parent=event_index, title="草稿", publish=False)
    private = EventPageFactory(parent=event_index, title="内部活动")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    _, calendar = fetch_calendar(client)
    expected = [*shown, past]
    assert summaries(calendar) == {event.title for event in expected}
    assert {str(event["UID"]) for event in calendar.walk("VEVENT")} == {
        f"{event.translation_key}@tianyuan" for event in expected
    }


def test_feed_leaves_out_events_under_a_private_index(client, event_index):
    EventPageFactory(parent=event_index, title="内部活动")
    PageViewRestriction.objects.create(page=event_index, restriction_type=PageViewRestriction.LOGIN)
    _, calendar = fetch_calendar(client)
    assert summaries(calendar) == set()


def test_feed_event_has_times_in_china_time_location_geo_and_url(client, event_index, venue):
    start = datetime.datetime(2026, 3, 20, 1, 30, tzinfo=datetime.UTC)
    event = EventPageFactory(
        parent=event_index, start=start, end=start + datetime.timedelta(hours=2), venue=venue
    )
    _, calendar = fetch_calendar(client)
    (item,) = calendar.walk("VEVENT")
    assert item.start == start
    assert str(item.start.tzinfo) == "Asia/Shanghai"
    assert item.end == start + datetime.timedelta(hours=2)
    assert str(item["LOCATION"]) == "桃花坞桃园, 桃花坞村口"
    assert (item["GEO"].latitude, item["GEO"].longitude) == (29.63, 118.24)
    assert str(item["URL"]).endswith(event.url)
    assert str(item["DESCRIPTION"]) == event.intro
    assert "DTSTAMP" in item


def test_feed_carries_the_china_time_zone_definition(client, event_index):
    EventPageFactory(parent=event_index)
    _, calendar = fetch_calendar(client)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_feed_uid_stays_the_same_after_an_edit(client, event_index):
    event = EventPageFactory(parent=event_index, title="桃花节")
    _, before = fetch_calendar(client)
    event.title = "桃花节（改期）"
    event.save_revision().publish()
    _, after = fetch_calendar(client)
    assert [str(e["UID"]) for e in before.walk("VEVENT")] == [str(e["UID"]) for e in after.walk("VEVENT")]


def test_feed_in_english_gives_the_english_events(client, event_index):
    event = EventPageFactory(parent=event_index, title="桃花节")
    EventPageFactory(parent=event_index, title="只有中文的活动")
    translate(event, title="Peach Blossom Festival")
    _, calendar = fetch_calendar(client, lang="en")
    assert summaries(calendar) == {"Peach Blossom Festival"}
    _, chinese = fetch_calendar(client)
    assert summaries(chinese) == {"桃花节", "只有中文的活动"}


def test_english_and_chinese_feeds_share_an_events_uid(client, event_index):
    event = EventPageFactory(parent=event_index, title="桃花节")
    translate(event, title="Peach Blossom Festival")
    _, english = fetch_calendar(client, lang="en")
    _, chinese = fetch_calendar(client)
    assert english.walk("VEVENT")[0]["UID"] == chinese.walk("VEVENT")[0]["UID"]


def test_feed_with_an_unknown_language_is_a_bad_request(client, event_index):
    response = client.get("/events.ics", {"lang": "xx"})
    assert response.status_code == 400
    assert "xx" in response.text


def test_add_to_calendar_gives_one_event(client, event_index):
    event = EventPageFactory(parent=event_index, title="桃花节")
    EventPageFactory(parent=event_index, title="茶文化节")
    response = client.get(event.url + "ics/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert summaries(Calendar.from_ical(response.content)) == {"桃花节"}


def test_feed_runs_a_fixed_number_of_queries(client, event_index, venue, num_queries):
    for _ in range(5):
        EventPageFactory(parent=event_index, venue=venue)
    client.get("/events.ics")
    # The locale and the events (venues joined); the view restrictions come from the cache.
    with num_queries(2):
        client.get("/events.ics")


def test_feed_refuses_post(client, event_index):
    assert client.post("/events.ics").status_code == 405
