"""Factories for the events index and event pages (published under ``parent`` unless told not to)."""

import datetime

import factory
from django.utils import timezone

from events.models import EventIndexPage, EventPage
from tests.factories.attractions import PageFactory


class EventIndexPageFactory(PageFactory):
    class Meta:
        model = EventIndexPage

    title = "节庆活动"
    slug = "events"
    intro = "<p>一年四季的乡村节庆。</p>"


class EventPageFactory(PageFactory):
    """By default an event a month ahead lasting three hours."""

    class Meta:
        model = EventPage

    title = factory.Sequence(lambda n: f"桃花节 {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    intro = "三月桃花开，来桃花坞赏花。"
    organiser = "青溪镇旅游办"
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=30))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=3))


class TicketTypeFactory(factory.django.DjangoModelFactory):
    """A paid day pass on sale now (no sales window set: until the event ends)."""

    class Meta:
        model = "events.TicketType"

    page = factory.SubFactory(EventPageFactory)
    name = factory.Sequence(lambda n: f"日票 {n}")
    price_fen = 5000
    capacity = 100
    max_per_order = 10
    locale = factory.LazyAttribute(lambda o: o.page.locale)
