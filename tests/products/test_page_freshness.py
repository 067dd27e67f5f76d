"""The shop's pages are remembered in fragments (town.page_cache.cached_showing, through
``{% showingcache %}``) with the anonymous page cache off, as for a visitor with a session: what
a sale, the farmer or an editor changes shows on the very next request, in the page's language."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from orders.reservations import Claim, cancel, reserve
from products.dashboard import services as dashboard_services
from products.models import Batch, Certification, Product
from tests.factories.products import ProductFactory, ProductPhotoFactory

from .farmer_fixtures import approve, product_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    """A visitor with a session cookie: the anonymous page cache never serves them."""
    client = Client()
    client.cookies["sessionid"] = "no-such-session"
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def warm(client, url):
    """Two views: the second is served from the fragments the first stored."""
    page(client, url)
    return page(client, url)


def test_a_purchase_changes_the_units_left_on_the_next_request(visitor, shop):
    product = ProductFactory(stock=5)
    url = f"/en{product.get_absolute_url()}"
    assert "Only 5 left" in warm(visitor, url)
    reserve([Claim("product", product.pk, 2)])
    assert "Only 3 left" in page(visitor, url)
    [held] = reserve([Claim("product", product.pk, 3)])
    sold_out = page(visitor, url)
    assert "product__sold-out" in sold_out and 'class="add-to-basket"' not in sold_out
    cancel(held)
    back = page(visitor, url)
    assert "Only 3 left" in back and 'class="add-to-basket"' in back


def test_a_sale_of_another_product_changes_its_card_on_the_product_page(visitor, shop):
    product = ProductFactory(stock=5)
    other = ProductFactory(producer=product.producer, stock=2)
    url = f"/en{product.get_absolute_url()}"
    assert "Sold out" not in warm(visitor, url)
    reserve([Claim("product", other.pk, 2)])
    again = page(visitor, url)
    assert again.count("product-card--sold-out") == 1
    assert "Only 5 left" in again  # this product's own figure is unchanged


def test_a_sale_changes_the_listing_on_the_next_request(visitor, shop):
    product = ProductFactory(stock=2)
    assert "product-card--sold-out" not in warm(visitor, shop.url)
    reserve([Claim("product", product.pk, 2)])
    assert "product-card--sold-out" in page(visitor, shop.url)


def test_the_farmers_new_figure_shows_at_once(visitor, shop):
    product = ProductFactory(stock=20)
    url = f"/en{product.get_absolute_url()}"
    assert "Only" not in warm(visitor, url)
    dashboard_services.set_remaining(product.producer, product.pk, 4)
    assert "Only 4 left" in page(visitor, url)


@pytest.mark.usefixtures("english")
def test_the_farmers_approved_name_and_price_show_on_the_next_request(
    visitor, shop, farmer, farmer_client, moderator, product_workflow
):
    product = ProductFactory(producer=farmer, name="土鸡蛋", price_fen=6800, stock=20)
    product.save_revision().publish()
    other = ProductFactory(producer=farmer, name="咸鸭蛋", price_fen=3000)
    url, other_url = product.get_absolute_url(), other.get_absolute_url()
    before = warm(visitor, url)
    assert "土鸡蛋" in before and "¥68" in before
    assert "土鸡蛋" in warm(visitor, other_url) and "土鸡蛋" in warm(visitor, shop.url)
    farmer_client.post(
        reverse("farmer_product_edit", args=[product.pk]),
        product_form_data(name="散养土鸡蛋", price_yuan="99", remaining="20"),
    )
    farmer_client.post(reverse("farmer_product_submit", args=[product.pk]))
    assert "散养土鸡蛋" not in page(visitor, url)  # waiting for review: the live version stays
    approve(product, moderator)
    after = page(visitor, url)
    assert "散养土鸡蛋" in after and "¥99" in after and "¥68" not in after
    # Its card on the producer's other product and in the listing too.
    assert "散养土鸡蛋" in page(visitor, other_url)
    assert "散养土鸡蛋" in page(visitor, shop.url)


def test_a_new_batch_photo_and_story_show_on_the_next_request(visitor, shop):
    product = ProductFactory()
    url = product.get_absolute_url()
    assert "<figure>" not in warm(visitor, url) and "/batch/" not in page(visitor, url)
    ProductPhotoFactory(product=product)
    batch = Batch.objects.create(product=product, harvested_on=datetime.date(2020, 5, 1), quantity=10)
    producer = product.producer
    producer.story = "三代人守着这片茶园。"
    producer.save()
    after = page(visitor, url)
    assert after.count("<figure>") == 1 and f"batch/{batch.code}/" in after
    assert "三代人守着这片茶园。" in after


def test_the_english_page_shows_english_and_the_chinese_page_chinese(visitor, shop, english_shop, en_locale):
    product = ProductFactory(name="奶油草莓", description="甜。")
    other = ProductFactory(producer=product.producer, name="草莓酱")
    for item, name in ((product, "Cream strawberries"), (other, "Strawberry jam")):
        translation = item.copy_for_translation(en_locale)
        translation.name = name
        translation.description = "Sweet." if item == product else ""
        translation.save()
    english_url = f"{english_shop.url}{product.pk}/"
    chinese_url = f"{shop.url}{product.pk}/"
    for _i in range(2):  # the second view of each comes from the fragments
        english, chinese = page(visitor, english_url), page(visitor, chinese_url)
        assert "<h1>Cream strawberries</h1>" in english and "Sweet." in english
        assert ">Strawberry jam</a>" in english
        assert ">奶油草莓<" not in english and ">草莓酱</a>" not in english and "甜。" not in english
        assert "<h1>奶油草莓</h1>" in chinese and "甜。" in chinese and "Cream strawberries" not in chinese
        listing = page(visitor, english_shop.url)
        assert ">Cream strawberries</a>" in listing and ">奶油草莓</a>" not in listing
    # An edit of the English name shows on the next English request.
    translation = Product.objects.get(locale=en_locale, translation_key=product.translation_key)
    translation.name = "Creamy strawberries"
    translation.save()
    assert "<h1>Creamy strawberries</h1>" in page(visitor, english_url)


@pytest.mark.date_sensitive
def test_a_certificate_badge_goes_when_it_expires(visitor, shop):
    product = ProductFactory()
    Certification.objects.create(
        producer=product.producer,
        kind="organic",
        number="1",
        issuer="x",
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 12, 6),
    )
    url = product.get_absolute_url()
    with time_machine.travel(datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC), tick=False):
        assert 'data-kind="organic"' in warm(visitor, url)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        assert 'data-kind="organic"' not in page(visitor, url)


def test_the_form_stays_each_visitors_own(visitor, shop):
    product = ProductFactory(stock=5)
    url = f"/en{product.get_absolute_url()}"
    warm(visitor, url)
    other = Client()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    tokens = {token.search(page(client, url))[1] for client in (visitor, other)}
    assert len(tokens) == 2
    refused = visitor.post(url, {"quantity": "0", "delivery": "pickup"})
    assert refused.status_code == 422 and "field--error" in refused.content.decode()
    assert "field--error" not in page(other, url)  # the error is not remembered for others
