"""Factories for attractions and routes: pages are added under ``parent`` and published."""

import factory
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from attractions.models import AttractionCategory, AttractionIndexPage, AttractionPage, RoutePage
from search.signals import deferred_indexing


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"照片 {n}")
    file = factory.LazyFunction(lambda: get_test_image_file(size=(640, 480)))


class PageFactory(factory.django.DjangoModelFactory):
    """Adds the page under ``parent`` (a Page) and publishes it unless ``publish=False``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=True, **kwargs):
        if parent is None:
            parent = Page.objects.get(depth=1)
        if not publish:
            kwargs.setdefault("live", False)  # a draft, as an editor's unpublished page
        page = model_class(*args, **kwargs)
        # Indexed for search once, as it ends up (add, revision and publish each save the page).
        with deferred_indexing():
            parent.add_child(instance=page)
            if publish:
                # add_child has just validated the page (full_clean); publishing validates it again.
                page.save_revision(clean=False).publish()
        if publish:
            page.refresh_from_db()
        return page


class AttractionIndexPageFactory(PageFactory):
    class Meta:
        model = AttractionIndexPage

    title = "景点与线路"
    slug = "attractions"
    intro = "<p>六个村落，十二处景点。</p>"


class AttractionPageFactory(PageFactory):
    class Meta:
        model = AttractionPage

    title = factory.Sequence(lambda n: f"青溪古桥 {n}")
    slug = factory.Sequence(lambda n: f"attraction-{n}")
    category = AttractionCategory.SCENIC_SPOT
    intro = "一座明代石拱桥。"
    address = "青溪镇石板街 1 号"
    opening_hours = "每天 8:00–17:30"
    ticket_info = "<p>免费</p>"
    latitude = "29.612100"
    longitude = "118.261800"


class RoutePageFactory(PageFactory):
    """``stops``: attraction pages, in order (stored as RouteStop rows)."""

    class Meta:
        model = RoutePage

    title = factory.Sequence(lambda n: f"桃花茶香一日游 {n}")
    slug = factory.Sequence(lambda n: f"route-{n}")
    intro = "从老街出发，经桃花坞到茶山。"
    suggested_duration = "1 天"

    @classmethod
    def _create(cls, model_class, *args, stops=(), **kwargs):
        from attractions.models import RouteStop

        kwargs["stops"] = [RouteStop(attraction=page, note=f"第 {n} 站") for n, page in enumerate(stops, 1)]
        return super()._create(model_class, *args, **kwargs)


# --- experiences (tours) ----------------------------------------------------------------------


class ExperiencePageFactory(PageFactory):
    """An experience; ``schedules``: dicts of ExperienceSchedule fields (default: every day at
    09:00 and 14:00), ``closed``: dates without tours. Publishing generates its slots."""

    class Meta:
        model = "attractions.ExperiencePage"

    title = factory.Sequence(lambda n: f"草莓采摘 {n}")
    slug = factory.Sequence(lambda n: f"experience-{n}")
    kind = "picking"
    intro = "在大棚里亲手采摘新鲜草莓。"
    duration_minutes = 120
    price_adult_fen = 8000
    price_child_fen = 4000
    free_under_age = 3
    child_until_age = 14
    capacity = 10
    cancellation_policy = "flexible"

    @classmethod
    def _create(cls, model_class, *args, schedules=None, closed=(), **kwargs):
        from attractions.models import ExperienceClosedDate, ExperienceSchedule

        if schedules is None:
            schedules = [{"start_times": "09:00, 14:00"}]
        kwargs["schedules"] = [ExperienceSchedule(**data) for data in schedules]
        kwargs["closed_dates"] = [ExperienceClosedDate(date=day) for day in closed]
        return super()._create(model_class, *args, **kwargs)


def tomorrow_at(hour=9, minute=0, days=1):
    """An aware datetime ``days`` after today (town time) at hour:minute, Asia/Shanghai."""
    import datetime
    from zoneinfo import ZoneInfo

    from orders.reservations import local_today

    day = local_today() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo("Asia/Shanghai"))


class TourSlotFactory(factory.django.DjangoModelFactory):
    """A slot of ``experience`` (required), tomorrow at 09:00 town time unless ``starts_at`` is given."""

    class Meta:
        model = "attractions.TourSlot"

    starts_at = factory.LazyFunction(tomorrow_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + o.duration)

    class Params:
        duration = factory.LazyFunction(lambda: __import__("datetime").timedelta(hours=2))
