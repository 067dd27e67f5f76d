"""/now/ and GET /api/v1/now: car parks, notices, today's events and tours, facilities; spots from
the gates app (rendered here from dicts of its shape); the page cache cleared by a count."""

import datetime

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from scenic import parking
from scenic.api import NowOut
from scenic.models import Facility, FacilityKind, Notice, NoticeLevel
from scenic.now import spot_rows
from tests.factories.attractions import AttractionIndexPageFactory, ExperiencePageFactory, TourSlotFactory
from tests.factories.events import EventIndexPageFactory, EventPageFactory

from .conftest import make_car_park

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

TZ = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def ten_oclock(time_machine):
    """10:00 town time today, the clock running on."""
    today = timezone.localdate()
    moment = datetime.datetime.combine(today, datetime.time(10), tzinfo=timezone.get_default_timezone())
    time_machine.move_to(moment, tick=True)
    return moment


@pytest.fixture
def town(home_page, ten_oclock):
    now = timezone.now()
    full = make_car_park(
        "桃花坞停车场", total=120, free=0, lat="29.644000", lng="118.223000", name_en="Peach Dock car park"
    )
    roomy = make_car_park(
        "石板街停车场", total=220, free=86, lat="29.610900", lng="118.260500", name_en="Flagstone car park"
    )
    Notice.objects.create(
        title="午后雷阵雨",
        title_en="Storms this afternoon",
        text="步道湿滑。",
        level=NoticeLevel.WARNING,
        starts_at=now - datetime.timedelta(hours=1),
    )
    Notice.objects.create(title="明天的通知", starts_at=now + datetime.timedelta(days=1))
    Notice.objects.create(
        title="昨天的封闭",
        kind="closure",
        starts_at=now - datetime.timedelta(days=2),
        ends_at=now - datetime.timedelta(days=1),
    )
    Facility.objects.create(
        kind=FacilityKind.TOILET,
        name="石板街公厕",
        name_en="Flagstone toilets",
        accessible=True,
        latitude="29.612700",
        longitude="118.262500",
        opening_hours="06:00–22:00",
    )
    Facility.objects.create(
        kind=FacilityKind.FIRST_AID, name="游客中心医务室", latitude="29.611800", longitude="118.261200"
    )
    events = EventIndexPageFactory(parent=home_page)
    EventPageFactory(
        parent=events,
        title="今晚灯会",
        start=now + datetime.timedelta(hours=8),
        end=now + datetime.timedelta(hours=11),
    )
    EventPageFactory(parent=events, title="下月桃花节")
    attractions = AttractionIndexPageFactory(parent=home_page)
    tour = ExperiencePageFactory(parent=attractions, title="草莓采摘", schedules=[])
    TourSlotFactory(experience=tour, starts_at=now + datetime.timedelta(hours=4))
    return {"full": full, "roomy": roomy, "tour": tour}


def test_the_page_shows_free_spaces_and_points_from_a_full_car_park_to_the_nearest(client, town):
    response = client.get("/now/")
    assert response.status_code == 200
    html = response.text
    roomy = html.split(f'data-car-park="{town["roomy"].pk}"')[1].split("</li>")[0]
    assert '<span class="now-park__free" data-free>86</span>' in roomy
    assert "now-park--full" not in html.split(f'data-car-park="{town["roomy"].pk}"')[0].rsplit("<li", 1)[1]
    full = html.split(f'data-car-park="{town["full"].pk}"')[1].split("</li>")[0]
    assert "石板街停车场" in full and "86" in full and "5.2" in full


def test_the_page_shows_current_notices_only(client, town):
    html = client.get("/now/").text
    assert "午后雷阵雨" in html and "now-notice--warning" in html
    assert "明天的通知" not in html and "昨天的封闭" not in html


def test_the_page_lists_todays_events_and_tours_with_seats(client, town):
    html = client.get("/now/").text
    assert "今晚灯会" in html and "下月桃花节" not in html
    assert "草莓采摘" in html and "14:00" in html


def test_the_page_lists_the_facilities_with_their_hours_and_the_map(client, town):
    html = client.get("/now/").text
    assert "石板街公厕" in html and "06:00–22:00" in html and "游客中心医务室" in html
    assert 'id="now-map"' in html and '"kind": "facility"' in html and '"kind": "car-park"' in html


def test_the_english_page_names_things_in_english(client, town, en_locale):
    response = client.get("/en/now/")
    assert response.status_code == 200
    assert "Right now" in response.text
    assert "Flagstone car park" in response.text and "Storms this afternoon" in response.text
    assert "Flagstone toilets" in response.text


def test_the_api_answers_spots_car_parks_and_notices(client, town):
    data = client.get("/api/v1/now").json()
    assert data["spots"] == []
    parks = {park["name"]: park for park in data["car_parks"]}
    assert parks["石板街停车场"] | {"id": 0} == {
        "id": 0,
        "name": "石板街停车场",
        "free": 86,
        "total": 220,
        "full": False,
        "nearest": None,
    }
    assert parks["桃花坞停车场"]["full"] is True
    assert parks["桃花坞停车场"]["nearest"]["id"] == town["roomy"].pk
    assert [notice["title"] for notice in data["notices"]] == ["午后雷阵雨"]


def test_the_api_answers_in_english_for_an_english_caller(town):
    from django.test import Client

    data = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/now").json()
    assert {park["name"] for park in data["car_parks"]} == {"Peach Dock car park", "Flagstone car park"}


# Queries after warming (page cache off, as in tests): car parks, notices, today's events, the
# tours with free seats today (pages, renditions, slots, their claims), and the shell (the site
# is remembered: town.sites). The facilities come from the content cache.
# With the gates' one query for the spots (none here; with spots, their windows and claims add
# three: tests/gates/test_now_spots.py).
NOW_PAGE_QUERIES = 7
NOW_API_QUERIES = 3


def test_the_page_runs_a_fixed_number_of_queries(client, town, django_assert_num_queries):
    client.get("/now/")
    for n in range(5):
        make_car_park(f"停车场{n}", free=n)
        Facility.objects.create(
            kind=FacilityKind.BUS_STOP, name=f"公交站{n}", latitude="29.6", longitude="118.2"
        )
    client.get("/now/")
    with django_assert_num_queries(NOW_PAGE_QUERIES):
        response = client.get("/now/")
    assert response.text.count("data-car-park=") == 7
    assert NOW_PAGE_QUERIES <= 12


def test_the_api_runs_a_fixed_number_of_queries(client, town, django_assert_num_queries):
    client.get("/api/v1/now")
    for n in range(5):
        make_car_park(f"停车场{n}", free=n)
    with django_assert_num_queries(NOW_API_QUERIES):
        data = client.get("/api/v1/now").json()
    assert len(data["car_parks"]) == 7


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()


def test_a_count_clears_the_stored_page_and_api_answer(page_cache_on, client, town):
    from django.test import Client

    roomy = town["roomy"]
    Client().get("/now/")  # the first page view makes the footer's settings row (a content edit)
    for url in ("/now/", "/api/v1/now"):
        assert Client().get(url)["X-Page-Cache"] == "miss"
        assert Client().get(url)["X-Page-Cache"] == "hit"
    parking.change_free(roomy.pk, -1)
    page = Client().get("/now/")
    assert page["X-Page-Cache"] == "miss"
    assert '<span class="now-park__free" data-free>85</span>' in page.text
    answer = Client().get("/api/v1/now")
    assert answer["X-Page-Cache"] == "miss"
    assert {park["id"]: park["free"] for park in answer.json()["car_parks"]}[roomy.pk] == 85


# --- spots: from the gates app, which this tree does not have -------------------------------

SPOTS = [
    {
        "id": 1,
        "name": "红岭纪念馆",
        "url": "/attractions/memorial/",
        "entry_url": "/entry/1/",
        "level": "busy",
        "people": 180,
        "capacity": 200,
        "next_window": {
            "id": 7,
            "starts_at": datetime.datetime(2026, 5, 1, 14, tzinfo=TZ),
            "ends_at": datetime.datetime(2026, 5, 1, 15, tzinfo=TZ),
            "places_left": 12,
        },
    },
    {
        "id": 2,
        "name": "桃花谷",
        "url": "/attractions/peach/",
        "entry_url": "/entry/2/",
        "level": "full",
        "people": 500,
        "capacity": 500,
        "next_window": None,
    },
    {
        "id": 3,
        "name": "茶山",
        "url": None,
        "entry_url": None,
        "level": "comfortable",
        "people": 20,
        "capacity": 300,
        "next_window": None,
    },
]


def test_spots_without_timed_entry_or_counts_are_not_listed():
    assert spot_rows(timezone.now()) == []


def test_spots_render_their_level_people_and_next_window(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 1, 10, tzinfo=TZ), tick=False)
    html = render_to_string("scenic/includes/spots.html", {"spots": SPOTS})
    assert 'class="level level--busy" data-level="busy">繁忙' in html
    assert 'class="level level--full" data-level="full">已满' in html
    assert 'data-level="comfortable">舒适' in html
    assert "<span data-people>180</span> / 200" in html
    assert "14:00–15:00" in html and "12" in html and 'href="/entry/1/"' in html
    # The full valley books nothing in the days ahead; the tea hill takes no timed entry at all.
    assert html.count('class="now-spot__window"') == 2 and 'href="/entry/2/"' not in html
    # Labels for the script to swap in when a level changes without a reload.
    assert 'data-label-full="已满"' in html and 'data-label-busy="繁忙"' in html


def test_a_next_window_on_another_day_says_which_day(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 30, 18, tzinfo=TZ), tick=False)
    html = render_to_string("scenic/includes/spots.html", {"spots": SPOTS[:1]})
    assert "14:00–15:00" not in html and "2026年5月1日 14:00" in html


def test_a_spot_nobody_counts_shows_no_level():
    spot = {**SPOTS[0], "level": None, "people": None, "capacity": None}
    html = render_to_string("scenic/includes/spots.html", {"spots": [spot]})
    assert "data-level" not in html and "data-people" not in html and 'href="/entry/1/"' in html


def test_no_spots_no_section():
    assert render_to_string("scenic/includes/spots.html", {"spots": []}).strip() == ""


def test_the_api_schema_carries_spots_of_that_shape():
    answer = NowOut.model_validate(
        {"updated_at": timezone.now(), "spots": SPOTS, "car_parks": [], "notices": []}
    ).model_dump()
    assert answer["spots"][0]["next_window"]["places_left"] == 12
    assert answer["spots"][1]["level"] == "full" and answer["spots"][1]["next_window"] is None
    uncounted = NowOut.model_validate(
        {
            "updated_at": timezone.now(),
            "spots": [{**SPOTS[0], "level": None, "people": None}],
            "car_parks": [],
            "notices": [],
        }
    ).model_dump()
    assert uncounted["spots"][0]["level"] is None and uncounted["spots"][0]["entry_url"] == "/entry/1/"


# --- the page's language, asked for explicitly -------------------------------------------------


def test_each_page_polls_the_api_in_its_own_language(client, town, en_locale):
    assert 'data-now-api="/api/v1/now?lang=en"' in client.get("/en/now/").text
    assert 'data-now-api="/api/v1/now?lang=zh-hans"' in client.get("/now/").text


def test_the_api_answers_in_the_language_asked_whatever_the_phone_says(town):
    from django.test import Client

    chinese_phone = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    data = chinese_phone.get("/api/v1/now", {"lang": "en"}).json()
    assert [notice["title"] for notice in data["notices"]] == ["Storms this afternoon"]
    english_phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    data = english_phone.get("/api/v1/now", {"lang": "zh-hans"}).json()
    assert [notice["title"] for notice in data["notices"]] == ["午后雷阵雨"]
    # A language the site does not have: the phone's, as before.
    data = english_phone.get("/api/v1/now", {"lang": "xx"}).json()
    assert [notice["title"] for notice in data["notices"]] == ["Storms this afternoon"]


def test_stored_answers_keep_their_language(page_cache_on, town):
    from django.test import Client

    Client().get("/now/")  # the first page view makes the footer's settings row (a content edit)
    chinese_phone = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    first = chinese_phone.get("/api/v1/now", {"lang": "zh-hans"})
    assert first.json()["notices"][0]["title"] == "午后雷阵雨"
    assert chinese_phone.get("/api/v1/now", {"lang": "zh-hans"})["X-Page-Cache"] == "hit"
    english = chinese_phone.get("/api/v1/now", {"lang": "en"})
    assert english["X-Page-Cache"] == "miss"
    assert english.json()["notices"][0]["title"] == "Storms this afternoon"
    assert english["Content-Language"] == "en"


def test_the_english_page_names_the_villages_in_english(client, town, en_locale):
    from tests.factories.town import VillageFactory

    village = VillageFactory(name="桃花坞村", slug="taohuawu")
    english = village.copy_for_translation(en_locale)
    english.name = "Peach Dock Village"
    english.save()
    town["roomy"].village = village
    town["roomy"].save()
    page = client.get("/en/now/").text
    assert "Peach Dock Village" in page and "桃花坞村" not in page
    assert "桃花坞村" in client.get("/now/").text
