"""Factories for villages, attractions and routes: pages are added under ``parent`` and published."""

import factory
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page

from attractions.models import AttractionCategory, AttractionIndexPage, AttractionPage, RoutePage, Village


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"照片 {n}")
    file = factory.LazyFunction(lambda: get_test_image_file(size=(640, 480)))


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"桃花坞{n}")
    slug = factory.Sequence(lambda n: f"village-{n}")
    description = "藏在山坳里的桃源村落。"
    latitude = "29.620000"
    longitude = "118.250000"
    locale = factory.LazyFunction(Locale.get_default)


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
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
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
