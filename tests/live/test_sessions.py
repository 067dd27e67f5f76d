"""Live sessions: pinning sets units aside through the reservation core, the session price holds
only while the session is live, and the end gives back what was not sold."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from live import services
from live.inventory import LIVE
from live.models import LiveSession, Platform, Status, bilibili_embed, check_platform_url
from orders import basket as basket_service
from orders import reservations
from orders.exceptions import SoldOut
from orders.lines import LineInvalid
from orders.models import Basket, OrderLine, Reservation, ReservationStatus
from orders.selectors import claimed_units
from products.selectors import units_left
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.products import ProductFactory
from tests.orders.checkout_fixtures import check_out

from .conftest import AFTER, BEFORE, DURING, ENDS, STARTS, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def pinned(session, product, *, price_fen=5000, stock=5):
    with time_machine.travel(BEFORE, tick=False):
        return services.pin_product(session, product, price_fen=price_fen, stock=stock)


def line(pin, **more):
    return {
        "kind": "product",
        "product_id": pin.product_id,
        "quantity": 1,
        "delivery": "pickup",
        "live_pin": pin.pk,
        **more,
    }


def basket_with(pin, moment=DURING, quantity=1):
    basket = Basket.objects.create(user=VerifiedUserFactory())
    with time_machine.travel(moment, tick=False):
        basket_service.add_line(basket, line(pin, quantity=quantity))
    return basket


# --- the session itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (BEFORE, Status.UPCOMING),
        (STARTS, Status.LIVE),
        (DURING, Status.LIVE),
        (ENDS, Status.ENDED),
        (AFTER, Status.ENDED),
    ],
)
def test_status_follows_the_clock(session, moment, status):
    assert session.status(moment) == status


@pytest.mark.parametrize(
    ("platform", "url", "ok"),
    [
        (Platform.DOUYIN, "https://live.douyin.com/618827365", True),
        (Platform.DOUYIN, "https://v.kuaishou.com/abc", False),
        (Platform.KUAISHOU, "https://live.kuaishou.com/u/abc", True),
        (Platform.WECHAT_CHANNELS, "https://channels.weixin.qq.com/live/abc", True),
        (Platform.BILIBILI, "https://live.bilibili.com/21452505", True),
        (Platform.BILIBILI, "http://live.bilibili.com/21452505", False),
        (Platform.BILIBILI, "https://bilibili.com.evil.example/1", False),
        (Platform.OTHER, "https://example.org/live", True),
        (Platform.OTHER, "javascript:alert(1)", False),
    ],
)
def test_stream_links_are_https_on_the_platforms_hosts(platform, url, ok):
    if ok:
        check_platform_url(platform, url)
    else:
        with pytest.raises(ValidationError):
            check_platform_url(platform, url)


def test_only_bilibili_is_embedded(product):
    assert bilibili_embed("https://live.bilibili.com/21452505").endswith("cid=21452505&quality=0")
    assert "bvid=BV1GJ411x7h7" in bilibili_embed("https://www.bilibili.com/video/BV1GJ411x7h7")
    douyin = make_session(product.producer, platform=Platform.DOUYIN, stream_url="https://live.douyin.com/1")
    assert douyin.embed_url == ""


def test_a_session_ending_before_it_starts_is_refused(product):
    with pytest.raises(Exception) as caught:
        services.schedule_session(
            producer=product.producer,
            by_user=None,
            title="x",
            platform=Platform.OTHER,
            stream_url="https://example.org/",
            starts_at=STARTS,
            ends_at=STARTS - datetime.timedelta(hours=1),
        )
    assert "ends_at" in caught.value.message_dict
    assert not LiveSession.objects.exists()


# --- pinning: units set aside from the shop ---------------------------------------------------


def test_pinning_sets_the_units_aside_from_the_shop(session, product):
    pin = pinned(session, product, stock=5)
    with time_machine.travel(BEFORE, tick=False):
        assert units_left(product) == 15
    aside = pin.set_aside
    assert (aside.kind, aside.object_id, aside.quantity, aside.status) == (
        "product",
        product.pk,
        5,
        ReservationStatus.CONFIRMED,
    )


def test_the_shop_cannot_sell_the_units_set_aside(session, product):
    pinned(session, product, stock=18)
    basket = Basket.objects.create(user=VerifiedUserFactory())
    with time_machine.travel(BEFORE, tick=False):
        basket_service.add_line(
            basket, {"kind": "product", "product_id": product.pk, "quantity": 2, "delivery": "pickup"}
        )
        with pytest.raises(SoldOut):
            reservations.reserve([reservations.Claim("product", product.pk, 3)])


def test_pinning_more_than_the_shop_has_left_is_refused_and_leaves_nothing(session, product):
    with time_machine.travel(BEFORE, tick=False), pytest.raises(services.LiveError, match="20"):
        services.pin_product(session, product, price_fen=5000, stock=21)
    assert not session.pins.exists()
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("price_fen", [0, 6800, 9000])
def test_the_session_price_must_be_below_the_shop_price(session, product, price_fen):
    with time_machine.travel(BEFORE, tick=False), pytest.raises(services.LiveError):
        services.pin_product(session, product, price_fen=price_fen, stock=1)
    assert not Reservation.objects.exists()


def test_only_the_hosts_products_are_pinned(session, shop):
    other = ProductFactory()
    with time_machine.travel(BEFORE, tick=False), pytest.raises(services.LiveError):
        services.pin_product(session, other, price_fen=100, stock=1)


def test_unpinning_gives_the_units_back(session, product):
    pin = pinned(session, product, stock=5)
    with time_machine.travel(BEFORE, tick=False):
        services.unpin(pin)
        assert units_left(product) == 20
    assert not session.pins.exists()


# --- the session price, with the clock pinned -------------------------------------------------


def test_before_the_start_the_session_price_cannot_be_added(session, product):
    pin = pinned(session, product)
    basket = Basket.objects.create(user=VerifiedUserFactory())
    with time_machine.travel(BEFORE, tick=False), pytest.raises(LineInvalid) as caught:
        basket_service.add_line(basket, line(pin))
    assert "live_pin" in caught.value.errors
    assert not basket.lines.exists()


def test_while_live_the_basket_prices_the_line_at_the_session_price(session, product):
    pin = pinned(session, product, price_fen=5000)
    basket = basket_with(pin, quantity=2)
    with time_machine.travel(DURING, tick=False):
        summary = basket_service.summarize(basket)
    assert summary.all_available
    assert summary.total.fen == 2 * 5000


def test_after_the_end_the_session_price_stops(session, product):
    pin = pinned(session, product, price_fen=5000)
    basket = basket_with(pin)
    with time_machine.travel(AFTER, tick=False):
        summary = basket_service.summarize(basket)
    [view] = summary.lines
    assert not view.available
    assert summary.total.fen == 0
    assert view.error.code == "not_live" and view.reason


def test_a_pin_of_another_product_is_refused(session, product, shop):
    pin = pinned(session, product)
    other = ProductFactory(producer=product.producer)
    basket = Basket.objects.create(user=VerifiedUserFactory())
    with time_machine.travel(DURING, tick=False), pytest.raises(LineInvalid):
        basket_service.add_line(basket, line(pin, product_id=other.pk))


def test_checkout_claims_the_session_stock_at_the_session_price(session, product):
    pin = pinned(session, product, price_fen=5000, stock=5)
    basket = basket_with(pin, quantity=2)
    with time_machine.travel(DURING, tick=False):
        order = check_out(basket.user, basket).order
        assert claimed_units(LIVE, [pin.pk])[pin.pk] == 2
        # The shop's count is the set-aside alone: the session sale takes nothing more from it.
        assert units_left(product) == 15
    order_line = OrderLine.objects.get(order=order)
    assert (order_line.kind, order_line.object_id, order_line.unit_price_fen) == ("product", product.pk, 5000)
    assert order_line.options["live_pin"] == pin.pk
    assert order.total_fen == 10000


def test_a_session_cannot_sell_more_than_it_set_aside(session, product):
    pin = pinned(session, product, stock=2)
    first, second = basket_with(pin, quantity=2), basket_with(pin)
    with time_machine.travel(DURING, tick=False):
        check_out(first.user, first)
        with pytest.raises(SoldOut):
            check_out(second.user, second)


# --- the end: unsold units back to the shop ---------------------------------------------------


def test_the_end_gives_back_what_was_not_sold(session, product):
    pin = pinned(session, product, stock=5)
    basket = basket_with(pin, quantity=2)
    with time_machine.travel(DURING, tick=False):
        order = check_out(basket.user, basket).order
        reservations.confirm(reservations.standing_for(order))
        assert services.return_unsold() == 0  # not ended yet
    with time_machine.travel(AFTER, tick=False):
        assert services.return_unsold() == 3
        assert units_left(product) == 18
        assert services.return_unsold() == 0  # again: nothing more
    pin.refresh_from_db()
    assert pin.set_aside.quantity == 2


def test_a_session_that_sold_nothing_gives_everything_back(session, product):
    pinned(session, product, stock=5)
    with time_machine.travel(AFTER, tick=False):
        assert services.return_unsold() == 5
        assert units_left(product) == 20


def test_a_payment_after_the_hold_and_the_session_lapsed_is_refused(session, product):
    """The hold lapsed and the end gave its unit back to the shop: a late payment must not
    confirm it, or the shop could sell that unit twice."""
    pin = pinned(session, product, stock=5)
    with time_machine.travel(DURING, tick=False):
        held = reservations.reserve(
            [reservations.Claim(LIVE, pin.pk, 1)], hold_for=datetime.timedelta(minutes=30)
        )
    with time_machine.travel(AFTER + datetime.timedelta(hours=1), tick=False):
        services.return_unsold()
        assert units_left(product) == 20
        with pytest.raises(SoldOut):
            reservations.confirm(held)


def test_a_payment_on_a_live_hold_after_the_end_is_confirmed(session, product):
    """A hold taken in the last minute still counts at the end, so its unit stays aside."""
    pin = pinned(session, product, stock=5)
    with time_machine.travel(ENDS - datetime.timedelta(minutes=1), tick=False):
        held = reservations.reserve(
            [reservations.Claim(LIVE, pin.pk, 1)], hold_for=datetime.timedelta(minutes=30)
        )
    with time_machine.travel(ENDS + datetime.timedelta(minutes=5), tick=False):
        assert services.return_unsold() == 4
        reservations.confirm(held)
        assert units_left(product) == 19


def test_the_command_returns_unsold_units(session, product):
    from django.core.management import call_command

    pinned(session, product, stock=4)
    with time_machine.travel(AFTER, tick=False):
        call_command("live_return_unsold", stdout=(out := __import__("io").StringIO()))
    assert "4 units returned" in out.getvalue()


def test_a_session_with_pins_cannot_be_deleted_with_its_units_set_aside(session, product):
    from django.db.models import ProtectedError

    pin = pinned(session, product, stock=5)
    with pytest.raises(ProtectedError):
        session.delete()
    with time_machine.travel(BEFORE, tick=False):
        services.unpin(pin)
        session.delete()
        assert units_left(product) == 20
