"""Issue #18 in a browser: a school's contact opens the quote's link on a phone, accepts it (every
room, the tour and the entry held at once), lands on the order's page that asks for the deposit;
the office records the deposit's bank transfer and the page then asks for the balance by its date."""

import csv
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from gates import idcards
from groups import rosters, services
from groups.models import GroupEnquiry, QuoteStatus
from orders import deposits, invoices
from orders.models import InvoiceRequest, Order, OrderStatus
from tests.e2e.conftest import fill_form, log_in
from tests.factories.accounts import VerifiedUserFactory
from tests.groups.conftest import E164
from tests.groups.test_quotes import build_quote, enquiry, inventory  # noqa: F401 (fixtures)
from town import sms

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


def _roster_csv(folder):
    """The class's roster as a teacher saves it from Excel: a real CSV file on disk."""
    first17 = ["110105201503040" + "11", "330106201411300" + "22", "330106198501010" + "33"]
    numbers = [first + idcards.check_digit(first) for first in first17]
    rows = [
        ["张小明", "学生", "身份证", numbers[0], "2015-03-04", ""],
        ["李小红", "学生", "身份证", numbers[1], "2014-11-30", ""],
        ["王老师", "教师", "身份证", numbers[2], "1985-01-01", "139 0000 0002"],
    ]
    path = folder / "花名册.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([column.header for column in rosters.COLUMNS])
        writer.writerows(rows)
    return path, numbers


def test_a_school_enquiry_becomes_a_quote_an_order_a_roster_and_an_invoice(
    journey,
    inventory,  # noqa: F811 (a fixture)
    now,
    settings,
    tmp_path,
    live_server,
):
    """Issue #18 end to end at 360 px: enquiry (with the SMS code) → staff quote → roster →
    acceptance → invoice request → the office records the deposit → the balance is outstanding."""
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    teacher = VerifiedUserFactory(phone_number=E164, phone_verified=True)
    page = journey.new_page(phone=True, viewport={"width": 360, "height": 780})
    with translation.override("en"):
        page.goto(reverse("groups_enquiry"))

    # The organiser's enquiry: the number proven by the code from the text message.
    form = page.locator("main form").filter(has=page.locator('[name="contact_phone"]'))
    fill_form(
        page,
        form,
        {
            "organisation": "青溪镇中心小学",
            "type": "school",
            "start_date": "2027-05-12",
            "end_date": "2027-05-13",
            "pupils": 45,
            "teachers": 4,
            "adults": 0,
            "contact_name": "王老师",
            "contact_phone": "139 0000 0001",
        },
    )
    form.locator('[name="send_code"]').click()
    page.wait_for_selector("#code-sent")
    assert "We texted a code to" in page.locator("#code-sent").inner_text()
    (message,) = sms.outbox
    assert message.phone == E164
    page.locator('[name="code"]').fill(message.params["code"])
    journey.shot(page, "enquiry")
    page.locator("button", has_text="Send the enquiry").click()
    page.wait_for_url(re.compile(r"/groups/enquiry/sent/$"))
    journey.shot(page, "enquiry-sent")
    school = GroupEnquiry.objects.get()
    sent = page.locator("main").inner_text()
    assert "Thank you: your enquiry is with the tourism office" in sent
    assert f"Your reference is {school.ref}" in sent
    assert school.contact_phone == E164 and school.pupils == 45 and school.language == "en"

    # The office builds the quote on the stock and sends it, as the admin's "sent" does: its link
    # goes to the organiser by text message.
    quote = build_quote(school, inventory)
    with translation.override(school.language):
        link = live_server.url + quote.get_absolute_url()
    services.send_quote(quote, link=link)
    texted = sms.outbox[-1]
    assert texted.template == "group_quote" and texted.phone == E164

    # The organiser logs in and opens the link from the text message.
    log_in(page, teacher)
    page.goto(texted.params["link"])
    plan = page.locator("main").inner_text()
    assert "Quote for 青溪镇中心小学" in plan
    assert "the deposit of ¥3,088.50 is paid on the next page" in plan  # 30 % of ¥10,295

    # The roster: a real CSV through the file input; the page lists it with the numbers masked.
    path, numbers = _roster_csv(tmp_path)
    roster_form = page.locator("form.roster-upload")
    roster_form.locator('input[type="file"]').set_input_files(str(path))
    roster_form.locator("button", has_text="Upload the roster").click()
    page.wait_for_selector(".roster-table")
    journey.shot(page, "roster")
    assert "Roster received: 3 participants." in page.locator("main").inner_text()
    table = page.locator(".roster-table").inner_text()
    assert "张小明" in table and "王老师" in table
    for number in numbers:
        assert idcards.mask(number) in table
        assert number not in page.content()

    # Accepting holds everything and places one order: deposit due now, balance by its date.
    page.locator("button", has_text="Accept and pay the deposit").click()
    # The accept form posts to the quote's path: the "#roster" the upload left in the address does
    # not follow the redirect to the order page, which has no such anchor.
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/$"))
    journey.shot(page, "deposit-due")
    order = Order.objects.get()
    assert order.user == teacher and order.status == OrderStatus.PENDING
    parts = page.locator(".parts-due").inner_text()
    assert "Pay the deposit of ¥3088.50" in parts
    assert "not paid yet" in parts
    assert "¥10295.00 · due by 2027-04-28" in parts  # nothing paid: the whole sum outstanding

    # The school's invoice: its registered name and tax number.
    tax_number = "12330106MB1234567"
    tax_number += invoices.credit_code_check_char(tax_number)
    page.locator("#invoice summary").click()
    invoice_form = page.locator("#invoice form")
    fill_form(page, invoice_form, {"kind": "company", "title": "青溪镇中心小学", "tax_number": tax_number})
    invoice_form.locator("button", has_text="Ask for an invoice").click()
    page.wait_for_url(re.compile(r"/trips/TY-[\w-]+/#invoice$"))
    journey.shot(page, "invoice-asked")
    assert f"Thank you: we will send the invoice to {teacher.email}." in page.locator("main").inner_text()
    invoice = page.locator("#invoice").inner_text()
    assert "Invoice (发票) asked for" in invoice
    assert "We will issue the invoice to “青溪镇中心小学”" in invoice
    asked = InvoiceRequest.objects.get(order=order)
    assert (asked.kind, asked.title, asked.tax_number) == ("company", "青溪镇中心小学", tax_number)

    # The school's bank transfer arrives; the office records it.
    deposits.record_bank_transfer(
        order, amount_fen=308_850, paid_on=datetime.date(2027, 3, 9), reference="ICBC-77", by_user=None
    )
    page.reload()
    journey.shot(page, "balance-due")
    parts = page.locator(".parts-due").inner_text()
    assert "¥3088.50 · paid" in parts and "not paid yet" not in parts
    assert "Pay the balance of ¥7206.50 by 2027-04-28" in parts
    assert "¥7206.50 · due by 2027-04-28" in parts
    order.refresh_from_db()
    quote.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert quote.status == QuoteStatus.ACCEPTED and quote.order == order
    assert quote.roster.participants.count() == 3
