"""The anonymous full-page cache (town/page_cache.py): what is stored, for whom, and what clears it.

The suite runs with the page cache off (config.settings.test); these tests turn it on.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from orders import reservations
from orders.models import BasketLine
from orders.reservations import Claim, local_today
from products.dashboard import services as dashboard_services
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory
from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
from tests.factories.products import ProductFactory, ShopPageFactory
from town.page_cache import CSRF_PLACEHOLDER, STATUS_HEADER

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


def cache_status(response):
    return response.headers.get(STATUS_HEADER)


def first_view(url):
    """The first view of a page also makes what it needs once (the footer settings row, image
    renditions), which changes the content version: the page is stored from the next view on."""
    Client().get(url)
    return Client().get(url)


@pytest.fixture
def shop(home_page):
    return ShopPageFactory(parent=home_page)


@pytest.fixture
def product(shop):
    return ProductFactory(name="奶油草莓", category="fruit", unit="jin", price_fen=3500, stock=3)


def test_a_second_anonymous_visitor_gets_the_stored_page(shop, product):
    first = first_view(product.get_absolute_url())
    second = Client().get(product.get_absolute_url())
    assert (cache_status(first), cache_status(second)) == ("miss", "hit")
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"  # kept on a hit too
    tokens = [TOKEN_RE.search(page.content.decode())[1].encode() for page in (first, second)]
    assert second.content == first.content.replace(*tokens)
    assert "奶油草莓" in second.content.decode()


def test_a_booking_clears_the_page_showing_what_is_left(shop, product):
    url = f"/en{product.get_absolute_url()}"
    assert "Only 3 left" in first_view(url).content.decode()
    assert cache_status(Client().get(url)) == "hit"
    reservations.reserve([Claim("product", product.pk, 2)])
    after = Client().get(url)
    assert cache_status(after) == "miss"
    assert "Only 1 left" in after.content.decode()

    reservations.reserve([Claim("product", product.pk, 1)])
    sold_out = Client().get(url)
    assert cache_status(sold_out) == "miss"
    body = sold_out.content.decode()
    assert "product__sold-out" in body
    assert 'class="add-to-basket"' not in body


def test_a_cancellation_clears_the_sold_out_page(shop, product):
    [held] = reservations.reserve([Claim("product", product.pk, 3)])
    assert "product__sold-out" in first_view(product.get_absolute_url()).content.decode()
    assert cache_status(Client().get(product.get_absolute_url())) == "hit"
    reservations.cancel([held])
    again = Client().get(product.get_absolute_url())
    assert cache_status(again) == "miss"
    assert "product__sold-out" not in again.content.decode()


def test_the_shop_listing_is_cleared_by_a_sale(shop, product):
    first_view(shop.url)
    assert cache_status(Client().get(shop.url)) == "hit"
    reservations.reserve([Claim("product", product.pk, 3)])
    assert cache_status(Client().get(shop.url)) == "miss"


@pytest.fixture
def two_homestays(home_page):
    index = HomestayIndexPageFactory(parent=home_page, slug="homestays")
    first = HomestayPageFactory(parent=index, title="竹林小院")
    second = HomestayPageFactory(parent=index, title="溪边人家")
    return (
        (first, RoomTypeFactory(page=first, units=1)),
        (second, RoomTypeFactory(page=second, units=1)),
    )


def test_a_stay_clears_only_the_page_of_that_homestay(two_homestays):
    (first, first_room), (second, _room) = two_homestays
    for page in (first, second):
        first_view(page.url)
        assert cache_status(Client().get(page.url)) == "hit"
    night = local_today() + timedelta(days=3)
    reservations.reserve([Claim("stay", first_room.pk, 1, night, night + timedelta(days=1))])
    assert cache_status(Client().get(first.url)) == "miss"
    assert cache_status(Client().get(second.url)) == "hit"


def test_a_room_type_edit_clears_the_homestay_page(two_homestays):
    (first, first_room), _second = two_homestays
    first_view(first.url)
    assert cache_status(Client().get(first.url)) == "hit"
    first_room.base_price_fen = 45600
    first_room.save()
    again = Client().get(first.url)
    assert cache_status(again) == "miss"


@pytest.fixture
def attractions(home_page):
    index = AttractionIndexPageFactory(parent=home_page, slug="attractions")
    return index, AttractionPageFactory(parent=index, title="古银杏")


def test_publishing_refreshes_the_page_and_its_listing(attractions):
    index, page = attractions
    for url in (index.url, page.url):
        first_view(url)
    assert cache_status(Client().get(page.url)) == "hit"
    page.title = "千年古银杏"
    page.save_revision().publish()
    for url in (page.url, index.url):
        response = Client().get(url)
        assert cache_status(response) == "miss"
        assert "千年古银杏" in response.content.decode()


def test_unpublishing_removes_the_page_and_its_card(attractions):
    index, page = attractions
    url = page.url
    assert "古银杏" in first_view(index.url).content.decode()
    first_view(url)
    assert cache_status(Client().get(index.url)) == "hit"  # stored, showing the card
    page.unpublish()
    assert Client().get(url).status_code == 404
    listing = Client().get(index.url)
    assert cache_status(listing) == "miss"
    assert "古银杏" not in listing.content.decode()


def test_moving_a_page_refreshes_both_listings(home_page, attractions):
    index, page = attractions
    other = AttractionIndexPageFactory(parent=home_page, slug="more-attractions", title="更多景点")
    assert "古银杏" in first_view(index.url).content.decode()
    first_view(other.url)
    assert cache_status(Client().get(index.url)) == "hit"  # stored, showing the card
    page.move(other, pos="last-child")
    assert "古银杏" not in Client().get(index.url).content.decode()
    assert "古银杏" in Client().get(other.url).content.decode()


def test_a_logged_in_visitor_never_gets_the_anonymous_page(client, shop, product):
    first_view(product.get_absolute_url())
    assert cache_status(Client().get(product.get_absolute_url())) == "hit"
    client.force_login(VerifiedUserFactory())
    mine = client.get(product.get_absolute_url())
    assert cache_status(mine) is None
    assert reverse("account_logout") in mine.content.decode()


def test_a_logged_in_page_is_never_stored(client, shop, product):
    first_view(shop.url)  # the shell's rows are made
    client.force_login(VerifiedUserFactory())
    client.get(product.get_absolute_url())
    assert cache_status(Client().get(product.get_absolute_url())) == "miss"


def test_a_visitor_with_a_basket_gets_their_own_page(shop, product):
    first_view(shop.url)
    visitor = Client()
    visitor.post(product.get_absolute_url(), {"quantity": 1, "delivery": "pickup"})
    assert BasketLine.objects.count() == 1
    assert cache_status(visitor.get(shop.url)) is None
    # Nor does the basket visitor's page go into the cache for others.
    visitor.get(product.get_absolute_url())
    assert cache_status(Client().get(product.get_absolute_url())) == "miss"


def test_anonymous_forms_on_a_stored_page_post_with_the_visitors_own_token(shop, product):
    url = product.get_absolute_url()
    first_view(url)
    first = Client(enforce_csrf_checks=True)
    first_page = first.get(url)
    second = Client(enforce_csrf_checks=True)
    second_page = second.get(url)
    assert cache_status(second_page) == "hit"
    body = second_page.content.decode()
    assert CSRF_PLACEHOLDER not in body
    [token] = TOKEN_RE.findall(body)
    assert token != TOKEN_RE.findall(first_page.content.decode())[0]
    assert "csrftoken" in second_page.cookies
    # The page carries this visitor's token: no shared cache may keep it.
    assert second_page["Cache-Control"] == "private"

    # Without the token the POST is refused; with its own, it reaches the basket.
    assert second.post(url, {"quantity": 1, "delivery": "pickup"}).status_code == 403
    response = second.post(url, {"quantity": 1, "delivery": "pickup", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("orders_basket")
    assert BasketLine.objects.get().object_id == product.pk


def test_another_visitors_token_does_not_pass(shop, product):
    url = product.get_absolute_url()
    first = Client(enforce_csrf_checks=True)
    [token] = TOKEN_RE.findall(first.get(url).content.decode())
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(url)
    response = stranger.post(url, {"quantity": 1, "delivery": "pickup", "csrfmiddlewaretoken": token})
    assert response.status_code == 403


def test_the_public_api_is_stored_and_cleared_by_a_sale(shop, product):
    url = f"/api/v1/products/{product.pk}"
    assert first_view(url).json()["units_left"] == 3
    assert cache_status(Client().get(url)) == "hit"
    reservations.reserve([Claim("product", product.pk, 1)])
    again = Client().get(url)
    assert cache_status(again) == "miss"
    assert again.json()["units_left"] == 2


def test_the_basket_and_posts_are_never_stored(shop, product):
    assert cache_status(Client().get(reverse("orders_basket"))) is None
    response = Client().post(product.get_absolute_url(), {"quantity": 1, "delivery": "pickup"})
    assert cache_status(response) is None


def test_the_search_page_is_stored(home_page):
    url = reverse("search")
    Client().get(url, {"q": "草莓"})
    Client().get(url, {"q": "草莓"})
    assert cache_status(Client().get(url, {"q": "草莓"})) == "hit"
    assert cache_status(Client().get(url, {"q": "茶"})) == "miss"


@pytest.mark.date_sensitive
def test_a_booking_clears_the_featured_tour_cards_of_the_home_page(settings, home_page, time_machine):
    """The cards are remembered even for visitors the page cache skips (cached_showing)."""
    from django.utils import timezone

    from tests.factories.attractions import ExperiencePageFactory, TourSlotFactory

    settings.PAGE_CACHE_ENABLED = False
    time_machine.move_to(timezone.localtime().replace(hour=8, minute=0))
    index = AttractionIndexPageFactory(parent=home_page, slug="tours")
    tour = ExperiencePageFactory(parent=index, title="采茶体验", schedules=[], capacity=1, featured=True)
    first = TourSlotFactory(experience=tour, starts_at=timezone.localtime() + timedelta(days=2))
    TourSlotFactory(experience=tour, starts_at=timezone.localtime() + timedelta(days=3))
    first_day = f"{first.starts_at.astimezone(timezone.get_current_timezone()):%m-%d}"
    client = Client()
    client.get("/")
    assert first_day in client.get("/").content.decode()
    reservations.reserve([Claim("tour", first.pk, 1)])
    assert first_day not in client.get("/").content.decode()


def test_the_farmer_setting_what_is_left_clears_the_product_page(shop, product):
    url = f"/en{product.get_absolute_url()}"
    assert "Only 3 left" in first_view(url).content.decode()
    assert cache_status(Client().get(url)) == "hit"
    dashboard_services.set_remaining(product.producer, product.pk, 1)
    page = Client().get(url)
    assert cache_status(page) == "miss"
    assert "Only 1 left" in page.content.decode()
