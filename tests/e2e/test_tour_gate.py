"""Issue #6 in a real browser: book a picking tour for 2 adults and 1 child, then admit them at the gate."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from tests.e2e.conftest import fill_form, log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.factories.attractions import (
    AttractionIndexPageFactory,
    AttractionPageFactory,
    ExperiencePageFactory,
    TourSlotFactory,
)
from tests.factories.home import make_home_page
from tests.factories.town import VillageFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def picking_slot(transactional_db, time_machine):
    """A strawberry-picking tour (¥80 an adult, ¥40 a child, under-3s free) with one slot at 10:50
    today, town time; the server's clock is at 10:00 (and runs on), so it is today's at the gate
    whatever the hour the suite runs at."""
    today = timezone.localdate()
    time_machine.move_to(datetime.combine(today, time(10), tzinfo=timezone.get_default_timezone()))
    home = make_home_page()
    index = AttractionIndexPageFactory(parent=home)
    village = VillageFactory(name="桃花坞", slug="taohuawu")
    meeting_point = AttractionPageFactory(parent=index, title="草莓园", village=village)
    tour = ExperiencePageFactory(parent=index, title="草莓采摘", meeting_point=meeting_point, schedules=[])
    starts_at = (timezone.now() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    return tour, TourSlotFactory(experience=tour, starts_at=starts_at)


def test_family_books_a_picking_tour_and_is_admitted_once_at_the_gate(journey, picking_slot):
    tour, slot = picking_slot
    visitor = VerifiedUserFactory(email="family@example.com", display_name="李华")
    staff = VerifiedUserFactory(email="gate@example.com", is_staff=True)

    # The visitor picks the slot for 2 adults and a 7-year-old on the tour page (on a phone).
    page = journey.new_page(phone=True)
    page.goto(tour.url)
    booking = page.locator("form.booking-form")
    slot_choice = booking.locator(f'input[name="slot_id"][value="{slot.pk}"]')
    assert slot_choice.count() == 1
    assert booking.locator(".slot-list__left").first.get_attribute("data-left") == "10"
    fill_form(page, booking, {"slot_id": slot.pk, "adults": 2, "children": 1, "child_ages": "7"})
    journey.shot(page, "tour")
    booking.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(reverse("orders_basket") + "(#book)?$"))  # the form posts to …#book
    line = page.locator(".basket__lines .basket-line")
    assert line.count() == 1
    assert tour.title in line.inner_text()
    assert "200" in line.locator(".basket-line__price").inner_text()  # 2 × ¥80 + ¥40
    journey.shot(page, "basket")

    # Checking out needs no account (a phone code is enough), but this family has one: the
    # checkout's "Log in" link takes them to log in and brings them back to the checkout.
    page.locator(f'a[href="{reverse("orders_checkout")}"]').click()
    page.wait_for_url(re.compile(reverse("orders_checkout") + "$"))
    page.locator(".checkout__login a").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    journey.shot(page, "log-in")
    log_in(page, visitor)
    page.wait_for_url(re.compile(reverse("orders_checkout") + "$"))
    checkout = page.locator("main form").filter(has=page.locator('[name="contact_name"]'))
    fill_form(
        page, checkout, {"contact_name": "李华", "contact_phone": "13900139000", "payment_method": "on_site"}
    )
    journey.shot(page, "checkout")
    checkout.locator('button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "order")

    order = Order.objects.get(user=visitor)
    assert order.status == "confirmed"
    assert order.total_fen == 20000
    tour_line = order.lines.get()
    assert (tour_line.kind, tour_line.object_id, tour_line.quantity) == ("tour", slot.pk, 3)
    code = tour_line.voucher.code
    assert page.locator(".voucher__code").inner_text() == code
    assert page.locator(".voucher__qr svg").is_visible()

    # At the meeting point, staff open the gate page for this tour on their phone.
    gate = journey.new_page(phone=True)
    log_in(gate, staff)
    gate.goto(reverse("events_gate"))
    journey.shot(gate, "gate-choices")
    scan_url = reverse("events_gate_scan", args=[f"slot-{slot.pk}"])
    gate.locator(f'a[href="{scan_url}"]').click()  # today's tours are offered
    gate.wait_for_url(re.compile(re.escape(scan_url) + "$"))
    assert gate.locator("h1").inner_text() == tour.title
    count = gate.locator("#gate-count")
    assert re.findall(r"\d+", count.inner_text()) == ["0", "3"]

    # The code typed in (lower case, as a phone keyboard may send it): the order is to be paid on
    # site, so the page asks staff to take the whole order's ¥200 before letting anyone in.
    gate.locator('input[name="code"]').fill(code.lower())
    journey.shot(gate, "code-typed")
    with gate.expect_navigation():
        gate.locator('.gate-form button[type="submit"]').click()
    result = gate.locator(".gate-result")
    journey.shot(gate, "to-collect")
    assert result.get_attribute("data-result") == "unpaid"
    assert "200.00" in gate.locator("#gate-due").inner_text()
    assert re.findall(r"\d+", count.inner_text()) == ["0", "3"]
    tour_line.voucher.refresh_from_db()
    assert tour_line.voucher.used_at is None

    # Staff take the money and press "Collected, admit": the family of three is in, the payment
    # recorded as taken by them.
    with gate.expect_navigation():
        gate.locator('.gate-collect button[type="submit"]').click()
    result = gate.locator(".gate-result")
    journey.shot(gate, "admitted")
    assert result.get_attribute("data-result") == "admitted"
    assert "李华" in result.inner_text()
    assert order.reference in result.inner_text()
    assert re.findall(r"\d+", count.inner_text()) == ["3", "3"]
    tour_line.voucher.refresh_from_db()
    assert tour_line.voucher.used_at is not None
    assert tour_line.voucher.used_by_id == staff.pk
    order.refresh_from_db()
    assert order.status == "paid"
    assert order.payments.get().recorded_by_id == staff.pk

    # Scanning the same voucher again is refused, with the time it was first used.
    gate.locator('input[name="code"]').fill(code)
    with gate.expect_navigation():
        gate.locator('.gate-form button[type="submit"]').click()
    result = gate.locator(".gate-result")
    assert result.get_attribute("data-result") == "already_used"
    first_used = timezone.localtime(tour_line.voucher.used_at).strftime("%Y-%m-%d %H:%M:%S")
    assert first_used in result.inner_text()
    assert re.findall(r"\d+", count.inner_text()) == ["3", "3"]
    journey.shot(gate, "already-used")
