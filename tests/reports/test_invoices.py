"""The finance office's list of invoice requests: per month (in the town's time zone) and status,
with what each order paid, on the page and as CSV and XLSX."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import invoices, order_state
from orders.models import InvoiceRequest
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHOOL = {
    "kind": "company",
    "title": "青溪镇第一中学",
    "tax_number": "91440300708461136T",
    "bank_name": "农业银行青溪支行",
    "bank_account": "6228 4800 1234",
    "email": "school@example.com",
}
URL = "/admin/town-reports/invoices/"


def _order(visitor, room, day, weeks):
    basket_with_stay(visitor, room, day + timedelta(days=7 * weeks))
    return check_out(visitor).order


@pytest.fixture
def requests_(visitor, stay_room, arrival):
    """May's last evening (paid, then invoiced), June's first minutes (unpaid), in Shanghai time."""
    staff = SuperuserFactory()
    may = _order(visitor, stay_room, arrival, 0)
    order_state.mark_paid_on_site(may, by_user=staff)
    june = _order(visitor, stay_room, arrival, 1)
    invoices.request_invoice(may, SCHOOL)
    invoices.request_invoice(june, {"kind": "personal", "title": "李华", "email": "li@example.com"})
    invoices.mark_invoiced(may, invoice_number="24440000000000000001", by_user=staff)
    InvoiceRequest.objects.filter(order=may).update(created_at=datetime(2026, 5, 31, 23, 30, tzinfo=SHANGHAI))
    InvoiceRequest.objects.filter(order=june).update(created_at=datetime(2026, 6, 1, 0, 10, tzinfo=SHANGHAI))
    return may, june


def test_the_month_is_the_towns(english_admin_client, requests_):
    may, june = requests_
    body = english_admin_client.get(URL, {"month": "2026-05"}).text
    assert may.reference in body and june.reference not in body
    body = english_admin_client.get(URL, {"month": "2026-06"}).text
    assert june.reference in body and may.reference not in body


def test_the_status_filter(english_admin_client, requests_):
    may, june = requests_
    body = english_admin_client.get(URL, {"status": "requested"}).text
    assert june.reference in body and may.reference not in body
    body = english_admin_client.get(URL, {"reference": may.reference.lower()}).text
    assert may.reference in body and june.reference not in body


def test_the_csv_carries_the_buyer_and_the_paid_yuan(english_admin_client, requests_):
    may, _june = requests_
    response = english_admin_client.get(URL, {"month": "2026-05", "export": "csv"})
    assert response.status_code == 200
    assert 'filename="invoice-requests-2026-05.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Order"] == may.reference and row["Paid (yuan)"] == "600.00"
    assert (row["Invoice title"], row["Tax number"]) == (SCHOOL["title"], SCHOOL["tax_number"])
    assert (row["Status"], row["Invoice number"]) == ("Invoiced", "24440000000000000001")
    assert row["Asked"].startswith("2026-05-31 23:30")


def test_the_xlsx_carries_the_same_rows(english_admin_client, requests_):
    may, june = requests_
    response = english_admin_client.get(URL, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    heading = rows[0]
    by_ref = {row[0]: dict(zip(heading, row, strict=True)) for row in rows[1:]}
    assert set(by_ref) == {may.reference, june.reference}
    assert float(by_ref[may.reference]["Paid (yuan)"]) == 600.0
    assert float(by_ref[june.reference]["Paid (yuan)"]) == 0.0  # on site, not paid yet
    assert by_ref[june.reference]["Invoice title"] == "李华"


@pytest.mark.parametrize("month", ["2026-13", "May", "2026-5"])
def test_a_bad_month_is_refused_not_ignored(english_admin_client, requests_, month):
    assert english_admin_client.get(URL, {"month": month}).status_code == 400
    response = english_admin_client.get(URL, {"month": month, "export": "csv"})
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(
    english_admin_client, requests_, visitor, stay_room, arrival
):
    english_admin_client.get(URL)
    with CaptureQueriesContext(connection) as two:
        english_admin_client.get(URL)
    for weeks in (2, 3, 4):
        invoices.request_invoice(_order(visitor, stay_room, arrival, weeks), SCHOOL)
    with CaptureQueriesContext(connection) as five:
        body = english_admin_client.get(URL).text
    assert body.count(SCHOOL["tax_number"]) >= 4
    assert len(five.captured_queries) == len(two.captured_queries)


def test_only_those_who_manage_orders_read_it(client, requests_):
    editor = VerifiedUserFactory()
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(editor)
    response = client.get(URL, {"export": "csv"})
    assert response.status_code in (302, 403)
    assert SCHOOL["tax_number"] not in response.content.decode()
