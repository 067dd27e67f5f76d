"""Fixtures of the tour tests (import them by name in each test module)."""

import pytest

from tests.factories.attractions import (
    AttractionPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
    tomorrow_at,
)


@pytest.fixture
def meeting_point(attraction_index, village):
    return AttractionPageFactory(parent=attraction_index, title="草莓园", village=village)


@pytest.fixture
def picking(attraction_index, meeting_point):
    """A picking tour without a schedule (slots are made by the tests): ¥80 adults, ¥40 children,
    under-3s free, 10 seats per slot."""
    return ExperiencePageFactory(
        parent=attraction_index, title="草莓采摘", meeting_point=meeting_point, schedules=[]
    )


@pytest.fixture
def slot(picking):
    return TourSlotFactory(experience=picking, starts_at=tomorrow_at(9))


def tour_data(slot, adults=2, children=0, **extra):
    return {"kind": "tour", "slot_id": slot.pk, "adults": adults, "children": children, **extra}
