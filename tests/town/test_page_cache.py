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


@pytest.mark.site_search
def test_a_new_search_synonym_clears_the_stored_search_pages(home_page):
    """Staff add "栈道 = boardwalk": a stored search for "boardwalk" must now find the boardwalk."""
    from search.models import SearchSynonym
    from tests.factories.attractions import AttractionIndexPageFactory, AttractionPageFactory

    attractions = AttractionIndexPageFactory(parent=home_page)
    AttractionPageFactory(parent=attractions, title="云端栈道", intro="悬崖上的木栈道。")
    url = reverse("search")
    first_view(f"{url}?q=boardwalk")
    stored = Client().get(url, {"q": "boardwalk"})
    assert cache_status(stored) == "hit" and "云端栈道" not in stored.text

    SearchSynonym.objects.create(terms="栈道, boardwalk")

    after = Client().get(url, {"q": "boardwalk"})
    assert cache_status(after) == "miss"
    assert "云端栈道" in after.text


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


# --- a hit skips the session, locale, common and CSRF middlewares ------------------------------


def test_a_hit_carries_the_headers_of_the_rendered_page(shop, product):
    """Vary, Content-Language, X-Frame-Options...: what the middlewares a hit skips gave the page
    when it was stored, and a length that counts the visitor's token."""
    from django.core.cache import cache

    for url in (product.get_absolute_url(), f"/en{product.get_absolute_url()}", shop.url):
        first_view(url)
        cache.clear()  # stored again by the next view
        miss = Client().get(url)
        hit = Client().get(url)
        assert (cache_status(miss), cache_status(hit)) == ("miss", "hit")
        assert dict(hit.headers, **{STATUS_HEADER: "miss"}) == dict(miss.headers)
        assert hit["Content-Length"] == str(len(hit.content))
        assert miss["Content-Length"] == str(len(miss.content))
    assert hit["Content-Language"] == "zh-hans"
    assert "Accept-Language" in hit["Vary"]  # no language in the path: LocaleMiddleware's
    english = Client().get(f"/en{product.get_absolute_url()}")
    assert english["Content-Language"] == "en"
    assert "Only 3 left" in english.content.decode()


@pytest.mark.parametrize("path", ["/", "/en/", "/en/shop/", "/shop/", "/search/", "/en/search/", "/fr/shop/"])
@pytest.mark.parametrize("asks", [{}, {"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_COOKIE": "django_language=en"}])
def test_the_key_has_the_language_localemiddleware_activates(rf, path, asks):
    from django.middleware.locale import LocaleMiddleware
    from django.utils import translation

    from town.page_cache import _request_language

    request = rf.get(path, **asks)
    worked_out = _request_language(request)
    with translation.override(None):
        LocaleMiddleware(lambda request: None).process_request(request)
    activated = request.LANGUAGE_CODE
    assert activated == worked_out


@pytest.mark.parametrize("asks", [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_COOKIE": "django_language=en"}])
def test_the_api_is_stored_in_each_callers_language(shop, product, asks):
    url = f"/api/v1/products/{product.pk}"
    first_view(url)
    chinese = Client().get(url)
    english = Client().get(url, **asks)
    assert (cache_status(chinese), chinese["Content-Language"]) == ("hit", "zh-hans")
    assert english["Content-Language"] == "en"
    assert cache_status(Client().get(url, **asks)) == "hit"


def test_a_page_in_the_default_language_is_the_same_whatever_the_visitor_asks(shop, product):
    url = product.get_absolute_url()
    first_view(url)
    hit = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert (cache_status(hit), hit["Content-Language"]) == ("hit", "zh-hans")
    assert "仅剩 3" in hit.content.decode()


def test_a_refused_user_agent_is_still_refused_on_a_stored_page(settings, shop, product):
    import re as regex

    url = product.get_absolute_url()
    first_view(url)
    settings.DISALLOWED_USER_AGENTS = [regex.compile("BadBot")]
    assert Client().get(url, HTTP_USER_AGENT="BadBot/1.0").status_code == 403
    assert cache_status(Client().get(url, HTTP_USER_AGENT="Mozilla/5.0")) == "hit"


# --- the copies each process keeps -------------------------------------------------------------


def test_a_kept_page_costs_one_read_of_the_pages_clock(shop, product, cache_reads):
    from town.cache import PAGES_CLOCK_KEY

    url = product.get_absolute_url()
    first_view(url)
    cache_reads.clear()
    assert cache_status(Client().get(url)) == "hit"
    assert cache_reads == [PAGES_CLOCK_KEY]


def test_a_clock_moved_by_another_process_sends_a_hit_to_the_shared_entry(shop, product, cache_reads):
    """Another process's invalidation reaches this one only through the shared cache."""
    from town.cache import PAGES_CLOCK_KEY, move_pages_clock

    url = product.get_absolute_url()
    first_view(url)
    move_pages_clock()  # nothing this page shows changed: the shared entry still answers
    cache_reads.clear()
    assert cache_status(Client().get(url)) == "hit"
    assert len(cache_reads) > 1
    assert any(key.startswith("tianyuan:page2:") for key in cache_reads)
    cache_reads.clear()
    assert cache_status(Client().get(url)) == "hit"
    assert cache_reads == [PAGES_CLOCK_KEY]  # kept again, under the new clock


def test_a_booking_elsewhere_clears_the_page_this_process_keeps(shop, product):
    """As another process books: the stock tag and the clock change in the shared cache only."""
    from town.page_cache import bump_stock, local_pages

    url = f"/en{product.get_absolute_url()}"
    first_view(url)
    assert cache_status(Client().get(url)) == "hit"
    assert len(local_pages) == 1
    Product = type(product)
    Product.objects.filter(pk=product.pk).update(stock=1)  # no signal: what another process did
    bump_stock("product", [product.pk])
    after = Client().get(url)
    assert cache_status(after) == "miss"
    assert "Only 1 left" in after.content.decode()


def test_a_process_without_a_copy_serves_the_shared_entry(shop, product):
    from town.page_cache import local_pages

    url = product.get_absolute_url()
    first_view(url)
    local_pages.clear()  # another process, which has kept nothing yet
    assert cache_status(Client().get(url)) == "hit"
    assert len(local_pages) == 1


def test_a_kept_page_lives_no_longer_than_the_shared_entry(settings, shop, product, time_machine):
    from django.utils import timezone

    # Mid-morning: the town's date (in the key) stays the same throughout.
    stored_at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    time_machine.move_to(stored_at, tick=False)
    url = product.get_absolute_url()  # shows what is left: PAGE_CACHE_STOCK_SECONDS
    first_view(url)
    assert cache_status(Client().get(url)) == "hit"
    lifetime = timedelta(seconds=settings.PAGE_CACHE_STOCK_SECONDS)
    time_machine.move_to(stored_at + lifetime - timedelta(seconds=1), tick=False)
    assert cache_status(Client().get(url)) == "hit"
    time_machine.move_to(stored_at + lifetime + timedelta(seconds=1), tick=False)
    assert cache_status(Client().get(url)) == "miss"


def test_the_kept_pages_are_bounded_least_recently_used_out_first(settings):
    from town.page_cache import LocalPages

    settings.PAGE_CACHE_LOCAL_BYTES = 100
    kept = LocalPages()
    later = 2**40  # far in the future
    for key in ("a", "b"):
        kept.put(key, "clock", b"x" * 25, 200, [], later)
    assert kept.get("a", "clock") is not None  # a is now the more recently used
    for key in ("c", "d", "e"):
        kept.put(key, "clock", b"x" * 25, 200, [], later)
    assert [key for key in "abcde" if kept.get(key, "clock")] == ["a", "c", "d", "e"]
    kept.put("big", "clock", b"x" * 26, 200, [], later)  # over a quarter of the bound: not kept
    assert kept.get("big", "clock") is None
    assert kept.get("a", "other clock") is None  # and a copy under another clock is dropped
    assert len(kept) == 3


# --- the visitor's CSRF token on a hit ---------------------------------------------------------


def test_the_token_is_in_djangos_format():
    from django.middleware.csrf import _check_token_format, _unmask_cipher_token

    from town.page_cache import csrf_token_for

    secret, token = csrf_token_for()
    again, other = csrf_token_for(secret)
    _check_token_format(token)
    assert again == secret
    assert len(secret) == 32
    assert _unmask_cipher_token(token) == _unmask_cipher_token(other) == secret
    assert token != other  # a new mask each time


def csrf_cookie(response):
    morsel = response.cookies["csrftoken"]
    return morsel.value, {
        name: morsel[name] for name in ("max-age", "path", "domain", "secure", "httponly", "samesite")
    }


def cookie_expires(response):
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(response.cookies["csrftoken"]["expires"])


def test_a_hit_sets_the_csrf_cookie_as_django_does(settings, shop, product):
    from django.middleware.csrf import _unmask_cipher_token

    url = product.get_absolute_url()
    first_view(url)
    hit = Client().get(url)
    settings.PAGE_CACHE_ENABLED = False
    rendered = Client().get(url)
    assert cache_status(hit) == "hit"
    (secret, attributes), (_other, django_attributes) = csrf_cookie(hit), csrf_cookie(rendered)
    assert attributes == django_attributes
    assert abs((cookie_expires(hit) - cookie_expires(rendered)).total_seconds()) <= 2
    assert "Cookie" in hit["Vary"]
    [token] = TOKEN_RE.findall(hit.content.decode())
    assert _unmask_cipher_token(token) == secret


def test_the_csrf_cookie_of_a_hit_follows_changed_settings(settings, shop, product):
    """The hit's cookie is copied from one prepared cookie: a change of the CSRF settings (as a
    test's override, or a deploy) makes a new one."""
    url = product.get_absolute_url()
    first_view(url)
    assert csrf_cookie(Client().get(url))[1]["secure"] == ""
    settings.CSRF_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SAMESITE = "Strict"
    hit = Client().get(url)
    assert cache_status(hit) == "hit"
    settings.PAGE_CACHE_ENABLED = False
    assert csrf_cookie(hit)[1] == csrf_cookie(Client().get(url))[1]
    assert csrf_cookie(hit)[1]["secure"] is True
    assert csrf_cookie(hit)[1]["samesite"] == "Strict"


@pytest.mark.parametrize("masked", [False, True])
def test_a_visitor_keeps_the_csrf_secret_they_have(shop, product, masked):
    """Another tab's form keeps working: the cookie's secret is reused (Django's rules, a masked
    cookie of an older Django included)."""
    from django.middleware.csrf import _unmask_cipher_token

    from town.page_cache import csrf_token_for

    url = product.get_absolute_url()
    first_view(url)
    secret, token = csrf_token_for()
    visitor = Client(enforce_csrf_checks=True)
    visitor.cookies["csrftoken"] = token if masked else secret
    page = visitor.get(url)
    assert cache_status(page) == "hit"
    [on_page] = TOKEN_RE.findall(page.content.decode())
    assert _unmask_cipher_token(on_page) == secret
    assert page.cookies["csrftoken"].value == secret
    response = visitor.post(url, {"quantity": 1, "delivery": "pickup", "csrfmiddlewaretoken": on_page})
    assert response.status_code == 302


def test_two_visitors_of_a_stored_page_get_different_secrets(shop, product):
    url = product.get_absolute_url()
    first_view(url)
    pages = [Client().get(url) for _ in range(2)]
    assert [cache_status(page) for page in pages] == ["hit", "hit"]
    assert pages[0].cookies["csrftoken"].value != pages[1].cookies["csrftoken"].value
    assert TOKEN_RE.findall(pages[0].content.decode()) != TOKEN_RE.findall(pages[1].content.decode())
