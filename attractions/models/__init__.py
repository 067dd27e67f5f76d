"""The attractions app's models, in two modules: places to see (``places``: attractions, their
index, routes) and bookable experiences with their schedules and slots (``experiences``).

Django and Wagtail look models up in ``attractions.models``, so both are gathered here."""

from .experiences import (
    EXPERIENCE_POLICY_EXPLANATIONS,
    WEEKDAY_FIELDS,
    ExperienceClosedDate,
    ExperienceKind,
    ExperiencePage,
    ExperienceSchedule,
    TourSlot,
    TourSlotOrigin,
    TourSlotStatus,
    parse_start_times,
)
from .places import (
    RICH_TEXT_SHORT,
    AttractionCategory,
    AttractionGalleryImage,
    AttractionIndexPage,
    AttractionPage,
    AttractionTag,
    RoutePage,
    RouteStop,
)

__all__ = [
    "EXPERIENCE_POLICY_EXPLANATIONS",
    "RICH_TEXT_SHORT",
    "WEEKDAY_FIELDS",
    "AttractionCategory",
    "AttractionGalleryImage",
    "AttractionIndexPage",
    "AttractionPage",
    "AttractionTag",
    "ExperienceClosedDate",
    "ExperienceKind",
    "ExperiencePage",
    "ExperienceSchedule",
    "RoutePage",
    "RouteStop",
    "TourSlot",
    "TourSlotOrigin",
    "TourSlotStatus",
    "parse_start_times",
]
