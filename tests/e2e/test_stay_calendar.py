"""Issue 20, item 2 in a browser: choosing nights on the homestay calendar fills the page's one
stay form, and turning the calendar's month keeps a half-chosen stay."""

import re
from datetime import timedelta

import pytest

from orders.reservations import local_today

pytestmark = pytest.mark.e2e


def test_choosing_nights_on_the_calendar_fills_the_dates(journey, homestay):
    page_obj, room = homestay
    next_month = (local_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    check_in, check_out = next_month + timedelta(days=9), next_month + timedelta(days=11)
    page = journey.new_page(phone=True)
    page.goto(f"{page_obj.url}?month={next_month:%Y-%m}")
    calendar = page.locator(f"#calendar-{room.pk}")

    calendar.locator(f'td[data-date="{check_in.isoformat()}"] .day-pick').click()
    assert page.input_value("#id_check_in") == check_in.isoformat()
    assert page.input_value("#id_check_out") == ""

    # The calendar turns in place and comes back: the chosen check-in is still there.
    later = (next_month + timedelta(days=32)).replace(day=1)
    page.locator("[data-month-link]").last.click()
    page.wait_for_function(
        "d => document.querySelector('td[data-date=\"' + d + '\"]') !== null", arg=later.isoformat()
    )
    assert f"month={later:%Y-%m}" in page.url  # the address follows the calendar
    page.locator("[data-month-link]").first.click()
    page.wait_for_function(
        "d => document.querySelector('td[data-date=\"' + d + '\"]') !== null", arg=check_in.isoformat()
    )
    assert page.input_value("#id_check_in") == check_in.isoformat()

    page.locator(f'#calendar-{room.pk} td[data-date="{check_out.isoformat()}"] .day-pick').click()
    assert page.input_value("#id_check_out") == check_out.isoformat()
    chosen = page.locator(f"#calendar-{room.pk} td.day--chosen")
    assert chosen.count() == 2  # the two nights
    journey.shot(page, "calendar-chosen")

    page.locator("#stay-form [type=submit]").click()
    page.wait_for_url(re.compile(rf"check_in={check_in.isoformat()}&check_out={check_out.isoformat()}"))
    assert "656" in page.locator(f"#room-{room.pk} .quote-total").inner_text().replace(",", "")
    assert page.locator(".month-nav strong").inner_text().startswith(str(next_month.year))
    journey.shot(page, "calendar-priced")
