"""Best rated first on the homestays listing and in the shop; unrated ones last."""

from decimal import Decimal

import pytest

from homestays.models import HomestayPage
from homestays.selectors import SORT_RATING, homestay_listing
from products.models import Product
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProducerFactory, ProductFactory, ShopPageFactory
from tests.pages import context_value

pytestmark = pytest.mark.django_db


def rated(model, thing, average, count):
    model.objects.filter(pk=thing.pk).update(rating_average=average, review_count=count)


def test_the_homestays_listing_sorts_best_rated_first(homestay):
    index = homestay.get_parent()
    fair, unrated, best = (HomestayPageFactory(parent=index, title=t) for t in ("一般", "没评", "最好"))
    for page in (homestay, fair, unrated, best):
        RoomTypeFactory(page=page)
    rated(HomestayPage, homestay, Decimal("4.50"), 2)
    rated(HomestayPage, fair, Decimal("3.00"), 5)
    rated(HomestayPage, best, Decimal("4.50"), 9)  # same average, more reviews: first
    titles = [r.homestay.title for r in homestay_listing(sort=SORT_RATING).object_list]
    assert titles == ["最好", homestay.title, "一般", "没评"]


def test_the_shop_sorts_best_rated_first(client, home_page):
    shop = ShopPageFactory(parent=home_page)
    producer = ProducerFactory()
    # Made best first: the default (newest first) order would put it last.
    best, unrated, good = (ProductFactory(producer=producer, name=n) for n in ("极品茶", "无评茶", "好茶"))
    rated(Product, good, Decimal("4.20"), 3)
    rated(Product, best, Decimal("4.90"), 7)
    newest = [p.name for p in context_value(client.get(shop.url), "products")]
    assert newest[:3] == ["好茶", "无评茶", "极品茶"]
    page = client.get(shop.url, {"sort": "rating"})
    assert page.status_code == 200
    names = [p.name for p in context_value(page, "products")]
    assert names[:3] == ["极品茶", "好茶", "无评茶"]
