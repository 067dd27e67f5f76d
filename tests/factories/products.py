"""Factories for the farmers' shop: producers, products (live unless ``live=False``), photos,
shipping rates and the shop page."""

import factory
from wagtail.models import Locale

from products.models import (
    Producer,
    ProducerStatus,
    Product,
    ProductCategory,
    ProductPhoto,
    ProductUnit,
    ShippingRate,
    ShopPage,
)
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import ImageFactory, PageFactory
from tests.factories.town import VillageFactory


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    user = factory.SubFactory(VerifiedUserFactory, email=factory.Sequence(lambda n: f"farmer{n}@example.com"))
    display_name = factory.Sequence(lambda n: f"王大姐 {n}")
    village = factory.SubFactory(VillageFactory)
    story = "三代人在山上种茶种果。"
    phone = "+86 139 0000 0000"
    pickup_address = "游客中心"
    status = ProducerStatus.VERIFIED


class ProductFactory(factory.django.DjangoModelFactory):
    """A product saved straight to the table as live (as a published revision would leave it)."""

    class Meta:
        model = Product

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"高山土鸡蛋 {n}")
    category = ProductCategory.MEAT_AND_EGGS
    description = "林下散养的土鸡蛋。"
    unit = ProductUnit.BOX
    price_fen = 6800
    stock = 20
    months_in_season = factory.LazyFunction(lambda: list(range(1, 13)))
    origin_village = factory.LazyAttribute(lambda o: o.producer.village)
    offers_pickup = True
    offers_homestay_delivery = True
    offers_shipping = True
    live = True
    locale = factory.LazyFunction(Locale.get_default)


class ProductPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductPhoto

    product = factory.SubFactory(ProductFactory)
    image = factory.SubFactory(ImageFactory)


class ShippingRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingRate
        django_get_or_create = ("region",)

    region = "浙江"
    fee_fen = 1200


class ShopPageFactory(PageFactory):
    class Meta:
        model = ShopPage

    title = "农家好物"
    slug = "shop"
