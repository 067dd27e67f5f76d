"""Study-tour programmes: group price tiers, the index's filters (age, length, season) in a fixed
number of queries, and the programme page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import StudyProgrammePage
from groups.pricing import lowest_pupil_day_price_fen, programme_total_fen, pupil_day_price_fen
from groups.selectors import filter_programmes

from .conftest import make_programme

pytestmark = pytest.mark.django_db
# Served warm: the page (the site and the way to it are remembered: home/routing.py); the listing
# (programmes with village, image, tiers and renditions) is a fragment cached until the next
# publish, per filter — as many whatever the number of programmes.
QUERIES = 1
# The programme page warm: the same; its days, tiers and photos are a fragment cached likewise.
PAGE_QUERIES = 1


def test_a_larger_group_pays_the_price_of_the_largest_tier_it_reaches(programme_index):
    page = make_programme(programme_index, "tea", tiers=[(30, 26000), (60, 22000)])
    assert pupil_day_price_fen(page, 12) == 30000
    assert pupil_day_price_fen(page, 30) == 26000
    assert pupil_day_price_fen(page, 59) == 26000
    assert pupil_day_price_fen(page, 200) == 22000
    assert lowest_pupil_day_price_fen(page) == 22000
    # 45 pupils × 2 days × ¥260
    assert programme_total_fen(page, 45) == 45 * 2 * 26000


def test_age_groups_and_months_are_kept_in_order_with_their_masks(programme_index):
    page = make_programme(programme_index, "farm", age_groups=["adult", "junior"], months_in_season=["5", 4])
    page.refresh_from_db()
    assert page.age_groups == ["junior", "adult"] and page.months_in_season == [4, 5]
    assert page.age_mask and page.season_mask


def test_filters_by_age_length_and_season(programme_index):
    make_programme(
        programme_index, "tea", age_groups=["upper_primary"], duration_days=2, months_in_season=[4, 5]
    )
    make_programme(programme_index, "farm", age_groups=["junior", "senior"], duration_days=5)
    make_programme(
        programme_index,
        "day",
        age_groups=["lower_primary", "upper_primary"],
        duration_days=1,
        months_in_season=[10],
    )
    pages = StudyProgrammePage.objects.all()

    def slugs(**filters):
        return sorted(filter_programmes(pages, **filters).values_list("slug", flat=True))

    assert slugs(age="upper_primary") == ["day", "tea"]
    assert slugs(age="senior") == ["farm"]
    assert slugs(days="1") == ["day"]
    assert slugs(days="2-3") == ["tea"]
    assert slugs(days="4+") == ["farm"]
    assert slugs(season="spring") == ["farm", "tea"]  # all year counts in every season
    assert slugs(season="autumn") == ["day", "farm"]
    assert slugs(age="upper_primary", season="spring") == ["tea"]


def _index_queries(client, url):
    # Warm: the first request fills the per-process caches, the second the content cache (a
    # publish empties it).
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_index_lists_filtered_programmes_in_queries_that_do_not_grow(client, programme_index):
    make_programme(programme_index, "tea", tiers=[(30, 26000)])
    make_programme(programme_index, "farm", age_groups=["junior"], duration_days=4)
    filtered = programme_index.url + "?age=junior&days=4%2B&season=spring"
    two, response = _index_queries(client, programme_index.url)
    html = response.content.decode()
    assert "茶山研学" in html and "¥260" in html
    for n in range(3):
        make_programme(programme_index, f"more-{n}", tiers=[(20, 25000)])
    five, response = _index_queries(client, programme_index.url)
    assert len(response.context["programmes"]()) == 5
    one, response = _index_queries(client, filtered)
    assert [page.slug for page in response.context["programmes"]()] == ["farm"]
    assert two == five == one == QUERIES, (two, five, one)


def test_a_bad_filter_is_reported_and_left_out(client, programme_index):
    make_programme(programme_index, "tea")
    response = client.get(programme_index.url + "?season=monsoon&days=1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(response.context["filter_errors"]()) == 1
    assert response.context["programmes"]() == [] or list(response.context["programmes"]()) == []


def test_the_programme_page_shows_days_prices_and_the_enquiry_link(client, programme_index):
    from groups.models import ActivityKind, ProgrammeActivity

    page = make_programme(programme_index, "tea", tiers=[(40, 24000)], included="住宿\n三餐")
    ProgrammeActivity.objects.create(page=page, day=1, kind=ActivityKind.LESSON, title="制茶课", sort_order=0)
    ProgrammeActivity.objects.create(page=page, day=2, kind=ActivityKind.MEAL, title="农家午饭", sort_order=1)
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert [day for day, _ in response.context["programme_days"]()] == [1, 2]
    assert "制茶课" in html and "农家午饭" in html and "¥240" in html and "三餐" in html
    assert f"/groups/enquiry/?programme={page.pk}" in html


def test_the_programme_page_runs_as_many_queries_however_many_days_and_tiers(client, programme_index):
    from groups.models import ActivityKind, ProgrammeActivity, ProgrammePriceTier

    page = make_programme(programme_index, "tea", tiers=[(40, 24000)])
    ProgrammeActivity.objects.create(page=page, day=1, kind=ActivityKind.LESSON, title="制茶课")
    few, _response = _index_queries(client, page.url)
    for day in range(1, 3):
        ProgrammeActivity.objects.create(page=page, day=day, kind=ActivityKind.MEAL, title=f"午饭 {day}")
    ProgrammePriceTier.objects.create(page=page, min_pupils=80, price_per_pupil_day_fen=22000)
    more, response = _index_queries(client, page.url)
    assert len(response.context["programme_days"]()) == 2 and len(response.context["price_tiers"]()) == 2
    assert "午饭 2" in response.text and "¥220" in response.text  # rows saved on their own clear it too
    assert few == more == PAGE_QUERIES, (few, more)
