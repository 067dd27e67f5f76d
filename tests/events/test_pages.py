import datetime
import json
import re

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from tests.factories.attractions import ImageFactory
from tests.factories.events import EventPageFactory
from tests.factories.home import translate
from tests.pages import WARM_BUDGET, cold_and_warm_queries

pytestmark = pytest.mark.django_db


def past_event(index, days_ago=30, **kwargs):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    return EventPageFactory(parent=index, start=start, end=start + datetime.timedelta(hours=3), **kwargs)


@pytest.mark.date_sensitive
def test_event_index_lists_upcoming_events_by_start_then_past_ones(client, event_index):
    now = timezone.now()
    later = EventPageFactory(parent=event_index, title="茶文化节", start=now + datetime.timedelta(days=60))
    sooner = EventPageFactory(parent=event_index, title="桃花节", start=now + datetime.timedelta(days=5))
    past_event(event_index, title="去年的丰收节")
    html = client.get(event_index.url).text
    assert html.index(sooner.title) < html.index(later.title) < html.index("去年的丰收节")
    assert html.index('id="upcoming-heading"') < html.index(sooner.title)
    assert html.index('id="archive-heading"') < html.index("去年的丰收节")


@pytest.mark.date_sensitive
def test_event_still_running_counts_as_upcoming(client, event_index):
    start = timezone.now() - datetime.timedelta(hours=1)
    EventPageFactory(
        parent=event_index, title="正在进行", start=start, end=start + datetime.timedelta(days=2)
    )
    html = client.get(event_index.url).text
    assert html.index("正在进行") < html.index("</section>")


def test_event_index_leaves_out_drafts_and_private_events(client, event_index):
    EventPageFactory(parent=event_index, title="草稿活动", publish=False)
    private = EventPageFactory(parent=event_index, title="内部活动")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    EventPageFactory(parent=event_index, title="公开活动")
    html = client.get(event_index.url).text
    assert "公开活动" in html
    assert "草稿活动" not in html
    assert "内部活动" not in html


def test_private_event_page_is_not_shown_to_visitors(client, event_index):
    private = EventPageFactory(parent=event_index, title="内部活动")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(private.url)
    assert response.status_code == 302
    assert "内部活动" not in response.text


def test_month_filter_keeps_events_of_that_month(client, event_index):
    tz = timezone.get_default_timezone()
    EventPageFactory(
        parent=event_index,
        title="三月桃花节",
        start=datetime.datetime(2026, 3, 31, 20, tzinfo=tz),
        end=datetime.datetime(2026, 3, 31, 23, tzinfo=tz),
    )
    EventPageFactory(
        parent=event_index,
        title="四月茶节",
        start=datetime.datetime(2026, 4, 1, 9, tzinfo=tz),
        end=datetime.datetime(2026, 4, 1, 12, tzinfo=tz),
    )
    html = client.get(event_index.url, {"month": "2026-03"}).text
    assert "三月桃花节" in html
    assert "四月茶节" not in html


def test_month_filter_keeps_an_event_that_spans_into_the_month(client, event_index):
    tz = timezone.get_default_timezone()
    EventPageFactory(
        parent=event_index,
        title="跨月露营节",
        start=datetime.datetime(2026, 4, 30, 9, tzinfo=tz),
        end=datetime.datetime(2026, 5, 2, 12, tzinfo=tz),
    )
    assert "跨月露营节" in client.get(event_index.url, {"month": "2026-05"}).text


@pytest.mark.parametrize("month", ["abc", "2026-13", "-1", "2026-00", "9999999-01"])
def test_bad_month_shows_a_message_and_every_event(client, event_index, month):
    EventPageFactory(parent=event_index, title="桃花节")
    response = client.get(event_index.url, {"month": month})
    assert response.status_code == 200
    assert 'class="message message--warning"' in response.text
    assert month in response.text
    assert "桃花节" in response.text


@pytest.mark.parametrize("page", ["-1", "abc", "99999", "0"])
def test_bad_archive_page_still_shows_the_events(client, event_index, page):
    past_event(event_index, title="去年的丰收节")
    response = client.get(event_index.url, {"page": page})
    assert response.status_code == 200
    assert "去年的丰收节" in response.text


@pytest.mark.date_sensitive
def test_archive_is_paginated(client, event_index):
    for n in range(12):
        past_event(event_index, days_ago=10 + n, title=f"往期活动{n:02d}")
    first = client.get(event_index.url).text
    second = client.get(event_index.url, {"page": 2}).text
    assert "往期活动00" in first
    assert "往期活动11" not in first
    assert "往期活动11" in second


def test_event_index_offers_the_calendar_feed(client, event_index):
    html = client.get(event_index.url).text
    assert "webcal://testserver/events.ics" in html
    assert 'href="http://testserver/events.ics"' in html


def test_event_index_renders_in_english_with_the_english_feed(client, event_index):
    event = EventPageFactory(parent=event_index, title="桃花节")
    english_index = translate(event_index, title="Festivals and events")
    translate(event, title="Peach Blossom Festival")
    response = client.get(english_index.url)
    assert english_index.url.startswith("/en/")
    assert response.status_code == 200
    assert "Festivals and events" in response.text
    assert "Peach Blossom Festival" in response.text
    assert "/events.ics?lang=en" in response.text


def test_event_page_shows_dates_venue_and_programme_in_chinese(client, event_index, venue):
    event = EventPageFactory(
        parent=event_index,
        title="桃花节",
        venue=venue,
        programme=[("item", {"title": "开幕式", "place": "桃园广场", "start_time": datetime.time(9, 30)})],
    )
    response = client.get(event.url)
    assert response.status_code == 200
    for text in ("桃花节", "桃花坞桃园", "桃花坞村口", "开幕式", "桃园广场", "09:30", "青溪镇旅游办"):
        assert text in response.text
    assert f'href="{event.url}ics/"' in response.text


def test_event_page_points_the_way_to_the_venue_without_raw_coordinates(client, event_index, venue):
    event = EventPageFactory(parent=event_index, title="桃花节", venue=venue)
    response = client.get(event.url)
    assert "https://uri.amap.com/marker?position=118.240000%2C29.630000" in response.text
    assert "在地图应用中打开" in response.text
    assert "29.63000, 118.24000" not in response.text
    # In no form in what the visitor reads (the map's script data keeps them).
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", " ", response.text, flags=re.S))
    assert "29.63" not in visible and "118.24" not in visible


def test_event_page_renders_in_english_with_the_english_venue(client, event_index, venue):
    event = EventPageFactory(parent=event_index, title="桃花节", venue=venue)
    english_venue = translate(venue, title="Peach Orchard", address="Taohuawu village gate")
    english = translate(event, title="Peach Blossom Festival", organiser="Qingxi tourism office")
    response = client.get(english.url)
    assert english.url.startswith("/en/")
    assert response.status_code == 200
    assert "Peach Blossom Festival" in response.text
    assert f'href="{english_venue.url}"' in response.text
    assert "Peach Orchard" in response.text
    assert "Qingxi tourism office" in response.text


def test_event_page_carries_event_json_ld(client, event_index, venue):
    start = datetime.datetime(2026, 3, 20, 1, 30, tzinfo=datetime.UTC)
    event = EventPageFactory(
        parent=event_index,
        start=start,
        end=start + datetime.timedelta(hours=2),
        venue=venue,
        image=ImageFactory(),
    )
    html = client.get(event.url).text
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["@type"] == "Event"
    assert data["startDate"] == "2026-03-20T09:30:00+08:00"
    assert data["location"]["geo"]["latitude"] == 29.63
    assert data["url"].endswith(event.url)
    assert data["image"].startswith("http://testserver/")


# SQL queries per page, cold and warm (tests/pages.py). Warm is the page alone (the site, the
# locale and the way to the page are remembered: home/routing.py); the view restrictions come from
# the cache.
EVENT_INDEX_COLD, EVENT_INDEX_WARM = 18, 1
# A month that is not one: the warning echoes it, so the listing is not cached (the shell is).
UNCACHED_INDEX_COLD, UNCACHED_INDEX_WARM = 18, 6
# The event page: its ticket types with what is left of them are remembered with the seats they
# show (events.selectors.remembered_ticket_offers; see test_tickets_page.py).
EVENT_PAGE_COLD, EVENT_PAGE_WARM = 19, 1
# In English too: the routing reads the English home page in one query (home/routing.py).
ENGLISH_EVENT_PAGE_WARM = EVENT_PAGE_WARM
assert max(EVENT_INDEX_WARM, UNCACHED_INDEX_WARM, ENGLISH_EVENT_PAGE_WARM) <= WARM_BUDGET


def _events(index, venue, count):
    image = ImageFactory()
    for n in range(count):
        if n % 2:
            past_event(index, days_ago=n + 1, venue=venue, image=image)
        else:
            EventPageFactory(parent=index, venue=venue, image=image)


@pytest.mark.parametrize("count", [2, 50])
def test_event_index_and_page_run_a_fixed_number_of_queries(client, event_index, venue, count):
    """The index (with a month that is not one too) and an event page among ``count`` others
    (one set-up for the three: 50 events take a while to make)."""
    _events(event_index, venue, count)
    cold, warm, _response = cold_and_warm_queries(client, event_index.url)
    assert (cold, warm) == (EVENT_INDEX_COLD, EVENT_INDEX_WARM)

    cold, warm, response = cold_and_warm_queries(client, event_index.url, {"month": "abc"})
    assert "abc" in response.text
    assert (cold, warm) == (UNCACHED_INDEX_COLD, UNCACHED_INDEX_WARM)

    event = EventPageFactory(parent=event_index, venue=venue, image=ImageFactory())
    cold, warm, _response = cold_and_warm_queries(client, event.url)
    assert (cold, warm) == (EVENT_PAGE_COLD, EVENT_PAGE_WARM)
    english = translate(event, title="Lantern fair")
    _cold, warm, response = cold_and_warm_queries(client, english.url)
    assert "Lantern fair" in response.text
    assert warm == ENGLISH_EVENT_PAGE_WARM
