"""Factories for homestays: pages are created under a parent and published, like an editor would."""

import datetime

import factory
from wagtail.models import Page

from homestays.models import (
    Amenity,
    HomestayIndexPage,
    HomestayPage,
    RateRuleKind,
    RoomRateRule,
    RoomType,
)
from search.signals import deferred_indexing


class AmenityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Amenity
        django_get_or_create = ("code",)

    code = "wifi"


class _PageFactory(factory.django.DjangoModelFactory):
    """Adds the page under ``parent`` (a Page) and publishes it unless ``live=False``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, publish=True, **kwargs):
        if parent is None:
            parent = Page.objects.get(depth=1)
        page = model_class(*args, **kwargs)
        # Indexed for search once, as it ends up (add, revision and publish each save the page).
        with deferred_indexing():
            parent.add_child(instance=page)
            if publish:
                page.save_revision().publish()
        if publish:
            page.refresh_from_db()
        return page


class HomestayIndexPageFactory(_PageFactory):
    class Meta:
        model = HomestayIndexPage

    title = "民宿"
    slug = factory.Sequence(lambda n: f"homestays-{n}")


class HomestayPageFactory(_PageFactory):
    class Meta:
        model = HomestayPage

    title = factory.Sequence(lambda n: f"田园民宿 {n}")
    slug = factory.Sequence(lambda n: f"homestay-{n}")
    address = "青山村 1 号"
    latitude = "30.123456"
    longitude = "120.123456"


class RoomTypeFactory(factory.django.DjangoModelFactory):
    """A room type saved straight to the table (as publishing would), keeping its pk."""

    class Meta:
        model = RoomType

    page = factory.SubFactory(HomestayPageFactory)
    name = factory.Sequence(lambda n: f"大床房 {n}")
    beds = "1 张大床"
    max_guests = 2
    units = 1
    base_price_fen = 30000
    weekend_price_fen = None
    min_nights = 1


class RoomRateRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomRateRule

    room_type = factory.SubFactory(RoomTypeFactory)
    kind = RateRuleKind.CLOSED
    start_date = datetime.date(2030, 1, 1)
    end_date = factory.LazyAttribute(lambda o: o.start_date)
