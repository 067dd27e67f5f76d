"""Issue #14 in a browser: a visitor whose stay, tour and produce are paid cancels only the tour from
My trips, sees the refund before confirming, and then the same refund made; the rest stands."""

import re

import pytest
from django.urls import reverse

from orders.models import OrderStatus, Refund
from tests.e2e.conftest import log_in
from tests.orders.line_cancel_fixtures import TOUR_FEN, book

pytestmark = pytest.mark.e2e


def test_visitor_cancels_only_the_tour_and_sees_the_right_refund(journey, visitor, trip_things):
    trip = book(visitor, trip_things, "stay", "tour", "product", method="on_site")
    order = trip.order
    assert order.status == OrderStatus.PAID
    tour = trip.line("tour")

    page = journey.new_page(phone=True)
    log_in(page, visitor)
    page.goto(reverse("orders_trips"))
    page.locator(f'a[href="{order.get_absolute_url()}"]').first.click()
    page.wait_for_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    lines = page.locator(".order-line")
    assert lines.count() == 3
    journey.shot(page, "order")

    # Only the tour: its own link, on its own line.
    page.locator(f"#line-{tour.pk} .order-line__action a").click()
    page.wait_for_url(re.compile(reverse("orders_line_cancel", args=[order.reference, tour.pk]) + "$"))
    assert "¥160.00" in page.locator(".line-cancel__refund").inner_text()
    assert "24" in page.locator(".line-cancel__reason").inner_text()  # the flexible policy's 24 hours
    journey.shot(page, "confirm")
    form = page.locator("form.line-cancel__confirm")
    form.locator('[name="confirm"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(re.escape(order.get_absolute_url()) + "$"))
    journey.shot(page, "cancelled")

    # The refund said before is the refund made, and the page says so; the stay and produce stand.
    assert "¥160.00" in page.locator(".messages").inner_text()
    cancelled = page.locator(f"#line-{tour.pk}")
    assert "¥160.00" in cancelled.locator(".order-line__cancelled").inner_text()
    assert cancelled.locator(".voucher").count() == 0
    for kind in ("stay", "product"):
        assert page.locator(f"#line-{trip.line(kind).pk} .voucher").count() == 1
    (refund,) = Refund.objects.all()
    assert refund.amount_fen == TOUR_FEN
    assert trip.fresh().status == OrderStatus.PAID
