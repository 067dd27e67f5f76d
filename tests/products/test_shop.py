"""The shop: listing with filters, sorting and pagination; product pages; "add to basket"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from orders.models import BasketLine
from orders.reservations import Claim, local_today, reserve
from products.models import ProducerStatus
from tests.factories.products import ProducerFactory, ProductFactory, ProductPhotoFactory
from tests.factories.town import VillageFactory
from tests.pages import context_value

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def names(response):
    return [p.name for p in context_value(response, "products")]


def test_listing_shows_live_products_only(client, shop, product):
    ProductFactory(name="草稿产品", live=False)
    ProductFactory(name="未审核农户的产品", producer=ProducerFactory(status=ProducerStatus.APPLIED))
    response = client.get(shop.url)
    assert response.status_code == 200
    assert names(response) == ["奶油草莓"]
    assert "草稿产品" not in response.content.decode()


def test_listing_filters_by_category(client, shop, product):
    ProductFactory(name="草莓酱", category="processed")
    assert names(client.get(shop.url, {"category": "processed"})) == ["草莓酱"]
    assert names(client.get(shop.url, {"category": "fruit"})) == ["奶油草莓"]


def test_listing_filters_by_village(client, shop, product):
    other = ProductFactory(name="野山茶", category="tea")
    response = client.get(shop.url, {"village": other.producer.village.pk})
    assert names(response) == ["野山茶"]


def test_listing_filters_in_season_now(client, shop):
    month = local_today().month
    ProductFactory(name="当季", months_in_season=[month])
    ProductFactory(name="过季", months_in_season=[month % 12 + 1])
    assert names(client.get(shop.url, {"in_season": "on"})) == ["当季"]


def test_listing_filters_by_price_in_yuan(client, shop):
    ProductFactory(name="便宜", price_fen=900)
    ProductFactory(name="中等", price_fen=5000)
    ProductFactory(name="贵", price_fen=20000)
    assert names(client.get(shop.url, {"price_min": 10, "price_max": 100})) == ["中等"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price_asc", ["A", "B", "C"]),
        ("price_desc", ["C", "B", "A"]),
        ("new", ["B", "C", "A"]),
        ("name", ["A", "B", "C"]),
    ],
)
def test_listing_sorts(client, shop, sort, expected):
    ProductFactory(name="A", price_fen=100)
    ProductFactory(name="C", price_fen=300)
    ProductFactory(name="B", price_fen=200)
    assert names(client.get(shop.url, {"sort": sort})) == expected


def test_bad_filters_get_a_400_with_the_message(client, shop, product):
    response = client.get(shop.url, {"price_min": "abc", "sort": "hack", "village": "999999"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"price_min", "sort", "village"}


def test_listing_is_paginated(client, shop):
    for i in range(15):
        ProductFactory(name=f"产品{i:02d}")
    first = client.get(shop.url, {"sort": "name"})
    second = client.get(shop.url, {"sort": "name", "page": 2})
    assert len(names(first)) == 12
    assert names(second) == ["产品12", "产品13", "产品14"]
    assert "page=2" in first.content.decode()


def test_sold_out_products_say_so(client, shop, product):
    reserve([Claim("product", product.pk, product.stock)])
    listing = client.get(shop.url)
    assert "Sold out" in listing.content.decode() or "售罄" in listing.content.decode()
    detail = client.get(product.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["units_left"] == 0
    assert 'class="add-to-basket"' not in detail.content.decode()


def test_product_page_shows_the_producers_story_but_never_the_household_flag(client, shop, product):
    producer = product.producer
    producer.supported_household = True
    producer.staff_notes = "低保户，重点帮扶"
    producer.save()
    ProductFactory(name="草莓酱", producer=producer)
    response = client.get(product.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert producer.story in body
    assert "草莓酱" in body  # their other products
    assert "低保户" not in body
    assert "supported" not in body.lower()


def test_product_page_of_a_draft_is_404(client, shop):
    draft = ProductFactory(live=False)
    assert client.get(f"{shop.url}{draft.pk}/x/").status_code == 404
    assert client.get(f"{shop.url}999999/").status_code == 404


def test_product_photos_are_webp_renditions(client, shop, product):
    ProductPhotoFactory(product=product)
    body = client.get(product.get_absolute_url()).content.decode()
    assert re.search(r'src="[^"]+\.webp"', body)
    assert "srcset=" in body


def test_add_to_basket_redirects_to_the_basket(client, shop, product):
    response = client.post(product.get_absolute_url(), {"quantity": 2, "delivery": "pickup"})
    assert response.status_code == 302
    assert response["Location"] == reverse("orders_basket")
    line = BasketLine.objects.get()
    assert (line.kind, line.object_id, line.quantity, line.options) == (
        "product",
        product.pk,
        2,
        {"delivery": "pickup"},
    )


def test_add_to_basket_with_bad_quantity_shows_the_error(client, shop, product):
    response = client.post(product.get_absolute_url(), {"quantity": 0, "delivery": "pickup"})
    assert response.status_code == 422  # bad input, as on every kind's page (it was 400 here)
    assert "quantity" in response.context["form"].errors
    assert BasketLine.objects.count() == 0


def test_add_more_than_is_left_is_a_409(client, shop, product):
    response = client.post(product.get_absolute_url(), {"quantity": 11, "delivery": "pickup"})
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert BasketLine.objects.count() == 0


def test_homestay_delivery_without_a_stay_is_refused_on_the_page(client, shop, product):
    day = local_today() + timedelta(days=10)
    response = client.post(
        product.get_absolute_url(), {"quantity": 1, "delivery": "homestay", "delivery_date": day.isoformat()}
    )
    assert response.status_code == 409
    assert BasketLine.objects.count() == 0


def test_shipping_needs_an_address_on_the_page(client, shop, product, shipping_rate):
    response = client.post(
        product.get_absolute_url(), {"quantity": 1, "delivery": "shipping", "shipping_region": "浙江"}
    )
    assert response.status_code == 422
    assert "shipping_address" in response.context["form"].errors


def test_village_filter_accepts_village_of_origin(client, shop):
    village = VillageFactory()
    ProductFactory(name="外村产品", origin_village=village)
    assert names(client.get(shop.url, {"village": village.pk})) == ["外村产品"]


def test_in_season_products_for_this_month_in_the_town(shop):
    from products.selectors import in_season_products

    ProductFactory(name="五月桃", months_in_season=[5, 6])
    ProductFactory(name="冬笋", months_in_season=[12])
    ProductFactory(name="五月草稿", months_in_season=[5], live=False)
    for i in range(5):
        ProductFactory(name=f"五月{i}", months_in_season=[5])
    may = in_season_products(5, limit=3)
    assert len(may) == 3
    assert all(5 in p.months_in_season for p in may)
    assert all(p.url.startswith(shop.url) for p in may)
    assert [p.name for p in in_season_products(12)] == ["冬笋"]


def test_english_shop_shows_english_names(client, shop, en_locale):
    from products.models import ProductCategory

    product = ProductFactory(name="草莓酱", category=ProductCategory.PROCESSED_FOOD)
    translation = product.copy_for_translation(en_locale)
    translation.name = "Strawberry jam"
    translation.save()
    english_shop = shop.copy_for_translation(en_locale, copy_parents=True)
    english_shop.save_revision().publish()
    response = client.get(english_shop.url)
    assert response.status_code == 200
    assert [p.display_name for p in context_value(response, "products")] == ["Strawberry jam"]
    detail = client.get(f"{english_shop.url}{product.pk}/")
    assert "Strawberry jam" in detail.content.decode()
    # The translation's own id leads to the product the stock belongs to.
    redirect = client.get(f"{english_shop.url}{translation.pk}/")
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(f"{english_shop.url}{product.pk}/")


def test_homestay_delivery_is_offered_only_to_a_visitor_with_a_stay(
    client, shop, product, stay_room, arrival
):
    from tests.factories.accounts import VerifiedUserFactory
    from tests.orders.checkout_fixtures import basket_with_stay

    user = VerifiedUserFactory()
    client.force_login(user)
    assert 'value="homestay"' not in client.get(product.get_absolute_url()).content.decode()
    basket = basket_with_stay(user, stay_room, arrival)
    body = client.get(product.get_absolute_url()).content.decode()
    assert 'value="homestay"' in body
    assert f'min="{arrival.isoformat()}"' in body
    day = arrival + timedelta(days=1)
    added = client.post(
        product.get_absolute_url(), {"quantity": 1, "delivery": "homestay", "delivery_date": day.isoformat()}
    )
    assert added.status_code == 302
    assert basket.lines.filter(kind="product").get().options["delivery_date"] == day.isoformat()


def test_products_are_in_the_sitemap(client, shop, product):
    ProductFactory(name="草稿", live=False)
    urls = [entry["location"] for entry in shop.get_sitemap_urls()]
    assert urls[0] == shop.get_full_url()
    assert urls[1:] == [f"{shop.get_full_url()}{product.pk}/{product.slug}/"]
