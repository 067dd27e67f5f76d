"""Factories for what the whole town shares: villages."""

import factory
from wagtail.models import Locale

from town.models import Village


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"桃花坞{n}")
    slug = factory.Sequence(lambda n: f"village-{n}")
    description = "藏在山坳里的桃源村落。"
    latitude = "29.620000"
    longitude = "118.250000"
    locale = factory.LazyFunction(Locale.get_default)
