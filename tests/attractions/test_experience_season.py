"""Experiences have their own months in season (issue 20, item 9): no slots are made outside
them, and "This month in the town" promotes none outside them — no honey-peach picking in
December when the orchard's page says 六月至八月."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from attractions.search_indexes import schedule_months
from attractions.selectors import experiences_with_free_slots
from events.season import in_season
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory
from town.months import months_between

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
NOVEMBER = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)


def local_months(page):
    return {timezone.localtime(s).month for s in page.slots.values_list("starts_at", flat=True)}


@time_machine.travel(NOVEMBER, tick=False)
def test_slots_are_made_only_in_the_months_in_season(attraction_index):
    peaches = ExperiencePageFactory(
        parent=attraction_index,
        title="水蜜桃采摘",
        months_in_season=[12, 1],
        schedules=[{"start_times": "09:00"}],
    )
    # 90 days from 20 November: only December and January have slots.
    assert local_months(peaches) == {12, 1}
    assert peaches.season_mask == (1 << 12) | (1 << 1)
    all_year = ExperiencePageFactory(
        parent=attraction_index, title="竹编", schedules=[{"start_times": "09:00"}]
    )
    assert local_months(all_year) == {11, 12, 1, 2}


def test_search_offers_an_experience_only_in_its_months_in_season(attraction_index):
    daily = [{"start_times": "09:00"}]
    summer = ExperiencePageFactory(
        parent=attraction_index, title="水蜜桃采摘", months_in_season=[6, 7, 8], schedules=daily
    )
    all_year = ExperiencePageFactory(parent=attraction_index, title="竹编", schedules=daily)
    assert schedule_months(summer) == [6, 7, 8]
    assert schedule_months(all_year) == list(range(1, 13))


@time_machine.travel(NOVEMBER, tick=False)
def test_this_month_promotes_no_experience_out_of_season(attraction_index):
    summer = ExperiencePageFactory(
        parent=attraction_index, title="水蜜桃采摘", months_in_season=[6, 7, 8], schedules=[]
    )
    winter = ExperiencePageFactory(
        parent=attraction_index, title="草莓采摘", months_in_season=[12], schedules=[]
    )
    # Slots made by hand before the season was set are not promoted either.
    TourSlotFactory(experience=summer, starts_at=datetime.datetime(2026, 12, 5, 1, tzinfo=datetime.UTC))
    TourSlotFactory(experience=winter, starts_at=datetime.datetime(2026, 12, 5, 1, tzinfo=datetime.UTC))
    with translation.override("zh-hans"):
        found = experiences_with_free_slots(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), 6)
        assert [page.title for page in found] == ["草莓采摘"]
        assert [page.title for page in in_season(2026, 12).experiences] == ["草莓采摘"]


def test_months_in_season_are_checked():
    page = ExperiencePageFactory.build(months_in_season=[13])
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "months_in_season" in error.value.message_dict


def test_months_between_crosses_the_new_year():
    assert months_between(datetime.date(2026, 11, 20), datetime.date(2027, 2, 1)) == [11, 12, 1, 2]
    assert months_between(datetime.date(2026, 1, 1), datetime.date(2028, 1, 1)) == list(range(1, 13))
