"""Issue #14 in a browser: a visitor finds a tour time full, joins its waiting list from the tour's
page, is e-mailed an offer when the booker cancels, follows the e-mail's link and books the freed
seats (in Chinese, on a phone)."""

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from attractions.models import TourSlot
from orders.line_cancel import cancel_line
from orders.models import Order, OrderStatus, WaitlistEntry, WaitlistStatus
from orders.selectors import claimed_units
from tests.e2e.conftest import fill_form, log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.orders.line_cancel_fixtures import book

pytestmark = pytest.mark.e2e

SEATS = 2


def test_a_waiting_visitor_is_emailed_the_offer_and_books_the_freed_seats(
    journey, visitor, trip_things, fake_online
):
    slot = trip_things.slot
    TourSlot.objects.filter(pk=slot.pk).update(capacity=SEATS)
    booker = book(VerifiedUserFactory(), trip_things, "tour")  # two adults: the slot is full

    page = journey.new_page(phone=True)
    log_in(page, visitor)
    day = slot.starts_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date().isoformat()
    page.goto(f"{slot.experience.url}?date={day}#book")
    journey.shot(page, "full-day")
    page.locator(".slot-list--full a", has_text="加入候补").first.click()
    page.wait_for_url(re.compile(r"/waitlist/join/"))
    form = page.locator("form.waitlist__form")
    fill_form(page, form, {"quantity": SEATS})
    journey.shot(page, "join")
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(reverse("orders_trips") + "$"))
    assert "候补第 1 位" in page.locator(".waitlist-entries").inner_text()
    journey.shot(page, "waiting")
    entry = WaitlistEntry.objects.get(user=visitor)

    # The booker cancels their tour: the offer goes out after the commit, in the visitor's language.
    mail.outbox.clear()
    cancel_line(booker.order, booker.line("tour").pk, by_user=booker.order.user)
    (offer,) = [message for message in mail.outbox if message.to == [visitor.email]]
    assert "有空位" in offer.subject
    link = re.search(r"https?://\S+/waitlist/\d+/", offer.body).group(0)
    with translation.override("zh-hans"):
        assert urlsplit(link).path == reverse("orders_waitlist_offer", args=[entry.pk])

    page.goto(urlsplit(link).path)
    journey.shot(page, "offer")
    page.locator("button", has_text="加入购物车").click()
    page.wait_for_url(re.compile(reverse("orders_basket") + "$"))
    journey.shot(page, "basket")
    page.locator(".basket a.button--primary").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    form = page.locator("main form").filter(has=page.locator('[name="contact_name"]'))
    fill_form(
        page, form, {"contact_name": "王小明", "contact_phone": "13800138000", "payment_method": "on_site"}
    )
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "booked")

    order = Order.objects.get(user=visitor)
    assert order.status == OrderStatus.CONFIRMED
    assert order.lines.get().quantity == SEATS
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    assert claimed_units("tour", [slot.pk])[slot.pk] == SEATS
