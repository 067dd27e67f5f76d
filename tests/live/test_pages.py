"""The live pages, the one-tap add to basket, the host's pages, the API and the sales report."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live import services
from live.models import LiveSession
from orders import basket as basket_service
from orders.models import Basket
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.products import ProductFactory, ProductPhotoFactory
from tests.orders.checkout_fixtures import check_out
from tests.pages import warm_queries
from tests.products.farmer_fixtures import make_farmer
from town.page_cache import STATUS_HEADER

from .conftest import AFTER, BEFORE, DURING, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

# Pinned, warm: nothing (the site is remembered: town.sites). The session with its host, the pins
# with their products and villages, the units left, the photos and renditions, the shop page for
# the products' addresses are remembered with the units they show (live.selectors.session_for_page).
SESSION_QUERIES = 0


def pin_many(session, count, *, stock=3):
    pins = []
    for _i in range(count):
        product = ProductFactory(producer=session.producer, stock=10, price_fen=6800)
        ProductPhotoFactory(product=product)
        with time_machine.travel(BEFORE, tick=False):
            pins.append(services.pin_product(session, product, price_fen=5000, stock=stock))
    return pins


@pytest.mark.parametrize("count", [1, 6])
def test_the_session_page_runs_a_fixed_number_of_queries(client, session, count):
    pin_many(session, count)
    with time_machine.travel(DURING):
        queries, response = warm_queries(client, session.get_absolute_url())
    assert response.text.count('class="live-pin"') == count
    assert queries == SESSION_QUERIES


def test_before_the_start_a_countdown_and_no_buy_button(client, session):
    pin_many(session, 1)
    with time_machine.travel(BEFORE, tick=False):
        page = client.get(session.get_absolute_url()).text
    assert "data-live-countdown" in page and "live-countdown.js" in page
    assert "live_session_add" not in page and "/add/" not in page


def test_while_live_the_stream_is_embedded_and_the_pins_can_be_bought(client, session):
    [pin] = pin_many(session, 1)
    with time_machine.travel(DURING, tick=False):
        page = client.get(session.get_absolute_url()).text
        assert "live-activity-player.html?cid=21452505" in page
        response = client.post(reverse("live_session_add", args=[session.pk, pin.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/basket/")
    basket = Basket.objects.get()
    [line] = basket.lines.all()
    assert line.options["live_pin"] == pin.pk
    with time_machine.travel(DURING, tick=False):
        assert basket_service.summarize(basket).total.fen == 5000


def test_after_the_end_the_replay_stays_and_nothing_is_sold(client, session):
    [pin] = pin_many(session, 1)
    session.replay_url = "https://www.bilibili.com/video/BV1GJ411x7h7"
    session.save()
    with time_machine.travel(AFTER, tick=False):
        page = client.get(session.get_absolute_url()).text
        response = client.post(reverse("live_session_add", args=[session.pk, pin.pk]))
    assert "bvid=BV1GJ411x7h7" in page
    assert response.status_code == 422
    assert not Basket.objects.filter(lines__isnull=False).exists()


def test_an_unapproved_session_is_not_shown(client, product):
    session = make_session(product.producer, approved=False)
    assert client.get(session.get_absolute_url()).status_code == 404
    assert session.title not in client.get(reverse("live_index")).text


def test_the_index_groups_live_upcoming_and_replays(client, product):
    make_session(product.producer, title="直播中")
    with time_machine.travel(DURING, tick=False):
        page = client.get(reverse("live_index")).text
    assert "直播中" in page and "live-card--live" in page


def test_the_shop_and_the_product_page_point_to_the_session(client, shop, session, product):
    with time_machine.travel(BEFORE, tick=False):
        services.pin_product(session, product, price_fen=5000, stock=2)
    with time_machine.travel(DURING, tick=False):
        assert session.get_absolute_url() in client.get(shop.url).text
        page = client.get(f"{shop.url}{product.pk}/").text
    assert f"{session.get_absolute_url()}#pin-" in page and "¥50" in page


# --- the host's pages -------------------------------------------------------------------------


def test_a_farmer_schedules_a_session_that_waits_for_approval(client, village):
    farmer = make_farmer(village=village)
    client.force_login(farmer.user)
    response = client.post(
        reverse("live_schedule"),
        {
            "title": "桃园直播",
            "platform": "douyin",
            "stream_url": "https://live.douyin.com/1",
            "starts_at": "2027-05-20T20:00",
            "ends_at": "2027-05-20T21:00",
        },
    )
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert (session.producer, session.approved) == (farmer, False)


def test_a_stream_link_of_another_platform_is_refused_with_its_reason(client, village):
    farmer = make_farmer(village=village)
    client.force_login(farmer.user)
    response = client.post(
        reverse("live_schedule"),
        {
            "title": "桃园直播",
            "platform": "douyin",
            "stream_url": "https://live.bilibili.com/1",
            "starts_at": "2027-05-20T20:00",
            "ends_at": "2027-05-20T21:00",
        },
    )
    assert response.status_code == 422
    assert not LiveSession.objects.exists()


def test_a_visitor_cannot_schedule(client):
    client.force_login(VerifiedUserFactory())
    assert client.get(reverse("live_schedule")).status_code == 403


def test_only_the_host_pins_products(client, session, product, village):
    other = make_farmer(village=village)
    client.force_login(other.user)
    assert client.get(reverse("live_pins", args=[session.pk])).status_code == 403
    host = Client()
    with time_machine.travel(BEFORE, tick=False):
        # Logged in on the day: the session cookie would have expired by then otherwise.
        host.force_login(product.producer.user)
        response = host.post(
            reverse("live_pins", args=[session.pk]), {"product": product.pk, "price_yuan": "50", "stock": 3}
        )
    assert response.status_code == 302
    assert session.pins.get().price_fen == 5000


def test_a_session_price_above_the_shop_price_is_refused(client, session, product):
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(product.producer.user)
        response = client.post(
            reverse("live_pins", args=[session.pk]), {"product": product.pk, "price_yuan": "99", "stock": 3}
        )
    assert response.status_code == 422
    assert not session.pins.exists()


# --- the API and the report -------------------------------------------------------------------


def test_the_api_lists_sessions_with_pins_and_stock_left(client, session, product):
    with time_machine.travel(BEFORE, tick=False):
        pin = services.pin_product(session, product, price_fen=5000, stock=4)
    with time_machine.travel(DURING, tick=False):
        data = client.get("/api/v1/live").json()
    [live] = data["live"]
    assert (live["id"], live["status"], live["platform"]) == (session.pk, "live", "bilibili")
    assert live["pins"] == [
        {
            "id": pin.pk,
            "product_id": product.pk,
            "name": product.name,
            "unit": product.unit,
            "shop_price_fen": 6800,
            "session_price_fen": 5000,
            "stock": 4,
            "units_left": 4,
            "url": live["pins"][0]["url"],
        }
    ]
    assert data["upcoming"] == data["past"] == []


def test_the_api_is_cached_and_cleared_by_a_sale(settings, session, product):
    settings.PAGE_CACHE_ENABLED = True
    with time_machine.travel(BEFORE, tick=False):
        pin = services.pin_product(session, product, price_fen=5000, stock=4)
    with time_machine.travel(DURING, tick=False):
        Client().get("/api/v1/live")
        cached = Client().get("/api/v1/live")
        assert cached.headers.get(STATUS_HEADER) == "hit"
        basket = Basket.objects.create(user=VerifiedUserFactory())
        basket_service.add_line(
            basket, {"kind": "product", "product_id": product.pk, "delivery": "pickup", "live_pin": pin.pk}
        )
        check_out(basket.user, basket)
        again = Client().get("/api/v1/live")
    assert again.headers.get(STATUS_HEADER) == "miss"
    assert again.json()["live"][0]["pins"][0]["units_left"] == 3


def test_the_sales_report_counts_session_sales(admin_client, session, product):
    with time_machine.travel(BEFORE, tick=False):
        pin = services.pin_product(session, product, price_fen=5000, stock=4)
    basket = Basket.objects.create(user=VerifiedUserFactory())
    with time_machine.travel(DURING, tick=False):
        basket_service.add_line(
            basket,
            {
                "kind": "product",
                "product_id": product.pk,
                "delivery": "pickup",
                "live_pin": pin.pk,
                "quantity": 3,
            },
        )
        check_out(basket.user, basket)
    from live.reports import sales_per_session

    [(row_session, total)] = sales_per_session()
    assert row_session == session
    assert (total["units"], total["gross_fen"], total["orders"], total["stock"]) == (3, 15000, 1, 4)
    assert admin_client.get(reverse("live_admin_sales")).status_code == 200


def test_a_farmer_sees_their_sessions_from_the_dashboard(client, session, product):
    client.force_login(product.producer.user)
    assert reverse("live_mine") in client.get(reverse("farmer_products")).text
    page = client.get(reverse("live_mine")).text
    assert session.title in page and reverse("live_pins", args=[session.pk]) in page


# --- the session page's cached reads (live.selectors.session_for_page) ---------------------------


def units_shown(html):
    return re.findall(r'class="live-pin__left">\D*(\d+)', html)


def session_reads(client, url):
    """(page, whether the session was read from the database)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.text, any("live_livesession" in query["sql"] for query in queries.captured_queries)


def test_a_sale_shows_on_the_session_page_at_once(client, session, product):
    with time_machine.travel(BEFORE, tick=False):
        pin = services.pin_product(session, product, price_fen=5000, stock=4)
    url = session.get_absolute_url()
    # Ticking: each bump of a stock tag or the pages version is stamped with the clock.
    with time_machine.travel(DURING):
        client.get(url), client.get(url)  # the first also makes the footer settings row
        page, read = session_reads(client, url)
        assert not read and units_shown(page) == ["4"]  # remembered
        basket = Basket.objects.create(user=VerifiedUserFactory())
        basket_service.add_line(
            basket, {"kind": "product", "product_id": product.pk, "delivery": "pickup", "live_pin": pin.pk}
        )
        check_out(basket.user, basket)
        page, read = session_reads(client, url)
    assert read and units_shown(page) == ["3"]


def test_the_session_page_turns_live_and_ends_on_time(client, session, product):
    with time_machine.travel(BEFORE, tick=False):
        services.pin_product(session, product, price_fen=5000, stock=4)
    url = session.get_absolute_url()
    just_before = session.starts_at - timezone.timedelta(seconds=5)
    with time_machine.travel(just_before, tick=False):
        client.get(url), client.get(url)
        page, read = session_reads(client, url)
        assert not read and "data-live-countdown" in page
    # Within the copy's life (town.page_cache.cached_showing), but the session has started.
    with time_machine.travel(session.starts_at + timezone.timedelta(seconds=5), tick=False):
        page = client.get(url).text
    assert "data-live-countdown" not in page and "live-pin__buy" in page
    with time_machine.travel(session.ends_at + timezone.timedelta(seconds=1), tick=False):
        page = client.get(url).text
    assert "live-pin__buy" not in page


def test_each_language_and_an_edit_show_at_once(client, session, product):
    with time_machine.travel(BEFORE):
        services.pin_product(session, product, price_fen=5000, stock=4)
        url = session.get_absolute_url()
        client.get(url), client.get(url)
        chinese, read = session_reads(client, url)
        assert not read
        english = client.get("/en" + url).text
        assert "Pinned products" in english and "Pinned products" not in chinese
        assert 'href="/en/' in english
        session.title = "茶园春茶直播"
        session.save()  # a row of a selling app: the pages version
        assert "茶园春茶直播" in client.get(url).text
