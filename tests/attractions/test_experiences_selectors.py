"""Read paths of experiences: slots with seats left, "with free slots" for "This month in the town",
featured experiences on the home page — each a fixed number of queries."""

import datetime

import pytest
from django.utils import translation

from attractions.selectors import experiences_with_free_slots, featured_experiences, slots_with_seats
from orders import reservations
from orders.models import ReservationKind
from orders.reservations import local_today
from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory, tomorrow_at

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def sell(slot, quantity):
    reservations.confirm(reservations.reserve([reservations.Claim(ReservationKind.TOUR, slot.pk, quantity)]))


def test_slots_with_seats_counts_live_claims_in_two_queries(picking, django_assert_num_queries):
    slots = [TourSlotFactory(experience=picking, starts_at=tomorrow_at(8 + i)) for i in range(6)]
    sell(slots[0], 10)
    sell(slots[1], 4)
    reservations.reserve([reservations.Claim(ReservationKind.TOUR, slots[1].pk, 1)])  # a live hold counts
    tomorrow = local_today() + datetime.timedelta(days=1)
    with django_assert_num_queries(2):
        found = slots_with_seats([picking.pk], tomorrow, tomorrow)[picking.pk]
    assert [s.seats_left for s in found] == [0, 5, 10, 10, 10, 10]
    with django_assert_num_queries(2):
        free = slots_with_seats([picking.pk], tomorrow, tomorrow, only_free=True, limit=2)[picking.pk]
    assert [s.slot_id for s in free] == [slots[1].pk, slots[2].pk]


def test_experiences_with_free_slots(attraction_index, picking, django_assert_num_queries):
    camp = ExperiencePageFactory(parent=attraction_index, title="星空露营", kind="camping", schedules=[])
    full = ExperiencePageFactory(parent=attraction_index, title="满员", schedules=[])
    ExperiencePageFactory(parent=attraction_index, title="无场次", schedules=[])
    hidden = ExperiencePageFactory(parent=attraction_index, title="草稿", schedules=[])
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9, days=5))
    TourSlotFactory(experience=camp, starts_at=tomorrow_at(16, days=2))
    sell(TourSlotFactory(experience=full, starts_at=tomorrow_at(9)), 10)
    TourSlotFactory(experience=hidden, starts_at=tomorrow_at(9))
    hidden.unpublish()
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9, days=40))  # outside the month
    start, end = local_today(), local_today() + datetime.timedelta(days=30)
    experiences_with_free_slots(start, end, 6)  # warm the per-process caches (locales)
    # Pages (none has a photo to prefetch), slots, live claims; the active and the default locale
    # come from the content cache.
    with translation.override("zh-hans"), django_assert_num_queries(3):
        found = experiences_with_free_slots(start, end, 6)
        assert [page.title for page in found] == ["星空露营", "草莓采摘"]
        assert found[0].next_free_slot.seats_left == 10
        assert len(found[1].free_slots) == 1
    assert [p.title for p in experiences_with_free_slots(start, end, 1)] == ["星空露营"]


def test_featured_experiences_cost_no_query_when_there_are_none(home_page, django_assert_num_queries):
    featured_experiences(home_page.locale_id)
    with django_assert_num_queries(0):
        assert featured_experiences(home_page.locale_id) == []


def test_home_page_features_experiences(client, home_page, attraction_index, picking):
    picking.featured = True
    picking.save_revision().publish()
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    ExperiencePageFactory(parent=attraction_index, title="不推荐", schedules=[])
    html = client.get(home_page.url).text
    assert html.count("card--experience") == 1
    assert picking.url in html
    assert tomorrow_at(9).strftime("%m-%d 09:00") in html


def test_featured_experiences_block(home_page, attraction_index, picking):
    from attractions.blocks import FeaturedExperiencesBlock

    picking.featured = True
    picking.save_revision().publish()
    TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))
    block = FeaturedExperiencesBlock()
    value = block.to_python({"heading": "去采摘", "count": 2})
    html = block.render(value, context={"page": home_page})
    assert "去采摘" in html and picking.title in html
    assert tomorrow_at(9).strftime("%m-%d 09:00") in html
