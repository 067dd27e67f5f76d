"""The shop's demo step: producers, products, orders, and what it makes renders."""

import pytest
from wagtail.models import WorkflowState

from orders.models import OrderLine, OrderStatus
from products.models import Producer, Product, ShopPage
from tests.pages import context_value

pytestmark = pytest.mark.django_db


def test_demo_shop_is_complete_and_renders(client, demo_town):
    before = (
        Producer.objects.count(),
        Product.objects.count(),
        OrderLine.objects.filter(kind="product").count(),
    )
    assert before[0] == 8
    assert Producer.objects.filter(supported_household=True).count() >= 2
    farmer = Producer.objects.get(user__email="farmer@tianyuan.example")
    assert farmer.is_verified
    on_sale = Product.objects.live().filter(locale__language_code="zh-hans")
    assert on_sale.count() == 30
    assert all(p.photos.exists() for p in on_sale)
    strawberries = on_sale.get(name="奶油草莓")
    assert strawberries.category == "fruit"
    assert strawberries.get_translation(Product.objects.get(name="Cream strawberries").locale).name == (
        "Cream strawberries"
    )
    jam = on_sale.get(name="草莓酱")
    assert jam.category == "processed"
    assert Product.objects.filter(name="Strawberry jam", live=True).exists()
    statuses = set(OrderLine.objects.filter(kind="product").values_list("order__status", flat=True))
    assert {OrderStatus.PAID, OrderStatus.CONFIRMED, OrderStatus.CANCELLED} <= statuses
    assert WorkflowState.objects.filter(base_content_type__model="product").exists()

    # A second run adding nothing is checked for every step in tests/demo/test_load_twice.py.

    shop = ShopPage.objects.live().get(locale__language_code="zh-hans")
    listing = client.get(shop.url)
    assert listing.status_code == 200
    assert context_value(listing, "result_count") == 30
    detail = client.get(strawberries.get_absolute_url())
    assert detail.status_code == 200
    assert "奶油草莓" in detail.content.decode()
    english_shop = ShopPage.objects.live().get(locale__language_code="en")
    english = client.get(english_shop.url, {"category": "fruit"})
    assert english.status_code == 200
    assert "Cream strawberries" in english.content.decode()
    assert "Strawberry jam" in client.get(f"{english_shop.url}{jam.pk}/").content.decode()
