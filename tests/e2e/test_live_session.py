"""Issue #19 in a real browser at 360 px: a visitor opens a live session on a phone, taps "Buy
now" on a pinned product, finds it in the basket at the session price and checks out."""

import datetime
import re

import pytest
from django.urls import reverse

from live import services
from live.inventory import LIVE
from live.models import LiveSession, Platform
from orders.models import Order, OrderLine
from orders.selectors import claimed_units
from tests.e2e.conftest import fill_form, log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.home import make_home_page
from tests.factories.products import ProductFactory, ShopPageFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_pin(transactional_db, pinned_now):
    home = make_home_page()
    ShopPageFactory(parent=home)
    product = ProductFactory(name="明前龙井", stock=20, price_fen=26800, offers_shipping=False)
    session = LiveSession.objects.create(
        title="明前茶园直播",
        producer=product.producer,
        platform=Platform.DOUYIN,
        stream_url="https://live.douyin.com/618827365",
        starts_at=pinned_now - datetime.timedelta(minutes=10),
        ends_at=pinned_now + datetime.timedelta(hours=2),
        approved=True,
    )
    return services.pin_product(session, product, price_fen=22800, stock=5)


def test_a_visitor_buys_a_pinned_product_from_a_live_session_on_a_phone(journey, live_pin):
    visitor = VerifiedUserFactory()
    page = journey.new_page(phone=True, viewport={"width": 360, "height": 780})
    log_in(page, visitor)
    page.goto(reverse("live_session", args=[live_pin.session_id]))
    journey.shot(page, "session")
    # Douyin cannot be framed: the stream opens in its app, with a big button.
    watch = page.locator("a.live-stage__open")
    assert watch.get_attribute("href") == "https://live.douyin.com/618827365"
    assert page.locator("iframe").count() == 0
    pin = page.locator(f"#pin-{live_pin.pk}")
    assert "¥228" in pin.inner_text() and "剩 5" in pin.inner_text().replace("\xa0", " ")
    # Nothing sticks out sideways on a 360 px screen, and the button is big enough for a thumb.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    button = pin.locator("button[type=submit]")
    assert button.bounding_box()["height"] >= 44

    button.click()
    page.wait_for_url(re.compile(r"/basket/$"))
    journey.shot(page, "basket")
    assert "¥228" in page.locator("main").inner_text()

    page.locator(".basket a.button--primary").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    form = page.locator("main form").filter(has=page.locator('[name="contact_name"]'))
    fill_form(
        page, form, {"contact_name": "王小明", "contact_phone": "13800138000", "payment_method": "on_site"}
    )
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "order")

    order = Order.objects.get(user=visitor)
    line = OrderLine.objects.get(order=order)
    assert (line.unit_price_fen, line.options["live_pin"]) == (22800, live_pin.pk)
    assert claimed_units(LIVE, [live_pin.pk])[live_pin.pk] == 1

    page.goto(reverse("live_session", args=[live_pin.session_id]))
    assert "剩 4" in page.locator(f"#pin-{live_pin.pk}").inner_text().replace("\xa0", " ")
