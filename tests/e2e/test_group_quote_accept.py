"""Issue #18 in a browser: a school's contact opens the quote's link on a phone, accepts it (every
room, the tour and the entry held at once), lands on the order's page that asks for the deposit;
the office records the deposit's bank transfer and the page then asks for the balance by its date."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from groups.models import QuoteStatus
from orders import deposits
from orders.models import Order, OrderStatus
from tests.e2e.conftest import log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.groups.conftest import E164
from tests.groups.test_quotes import build_quote, enquiry, inventory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.date_sensitive]
NOW = datetime.datetime(2027, 3, 9, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=True)
    return NOW


@pytest.fixture
def quote(enquiry, inventory):  # noqa: F811
    made = build_quote(enquiry, inventory)
    made.status = QuoteStatus.SENT
    made.save(update_fields=["status"])
    return made


def test_the_group_accepts_its_quote_and_pays_the_deposit(journey, quote, now):
    teacher = VerifiedUserFactory(phone_number=E164, phone_verified=True)
    page = journey.new_page(phone=True)
    log_in(page, teacher)
    with translation.override("en"):
        quote_url = reverse("groups_quote", args=[quote.token])
    page.goto(quote_url)
    journey.shot(page, "quote")
    page.locator("button", has_text="Accept and pay the deposit").click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "deposit-due")
    order = Order.objects.get()
    assert order.user == teacher and order.status == OrderStatus.PENDING
    parts = page.locator(".parts-due").inner_text()
    assert "Pay the deposit of ¥3088.50" in parts

    # The school's bank transfer arrives; the office records it.
    deposits.record_bank_transfer(
        order, amount_fen=308_850, paid_on=datetime.date(2027, 3, 9), reference="ICBC-77", by_user=None
    )
    page.reload()
    journey.shot(page, "balance-due")
    parts = page.locator(".parts-due").inner_text()
    assert "Pay the balance of ¥7206.50 by 2027-04-28" in parts
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.order == order
