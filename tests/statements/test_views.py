"""The statement where each reads it: the farmer's phone page, the host's and staff's admin, the
API, and the files (the PDF read back with pypdf, the XLSX with openpyxl)."""

import datetime
import io

import openpyxl
import pypdf
import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.roles import EDITORS, HOSTS
from tests.factories.accounts import UserFactory
from tests.factories.homestays import HomestayPageFactory

from .fixtures import SHANGHAI, at, payout, refund, sale

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

DAY = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def november():
    with time_machine.travel(DAY, tick=False):
        yield


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def farmer_month(farmer, lines):
    for n in range(lines):
        _order, _lines, payment = sale(farmer.user, [1000 + n], when=at(2026, 11, 1 + n % 19), bp=500)
        if n == 0:
            refund(payment, 500, when=at(2026, 11, 19))
    payout(farmer.user, 1500, datetime.date(2026, 11, 10), method="bank")


# --- the farmer's page ---------------------------------------------------------------------------


def test_the_farmer_sees_what_was_earned_paid_and_owed(farmer, farmer_client):
    farmer_month(farmer, 2)
    page = farmer_client.get(reverse("farmer_statement"), {"month": "2026-11"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    # 10.00 + 10.01 sold, 5.00 back, 5 % of 15.01 kept (0.75), 15.00 paid: -0.74 (paid ahead).
    assert 'data-total="gross">¥20.01' in html
    assert 'data-total="refunds">−¥5.00' in html
    assert 'data-total="commission">−¥0.75' in html
    assert 'data-total="payouts">−¥15.00' in html
    assert 'data-payout="' in html and "¥15.00" in html


def test_another_farmers_sales_are_not_on_the_page(farmer, other_farmer, farmer_client):
    sale(other_farmer.user, [99900], when=at(2026, 11, 3))
    html = farmer_client.get(reverse("farmer_statement")).content.decode()
    assert "999.00" not in html


def test_a_bad_month_is_refused_with_its_message(farmer_client):
    page = farmer_client.get(reverse("farmer_statement"), {"month": "2026-99"})
    assert page.status_code == 422
    assert "YYYY-MM" in page.content.decode()


def test_a_visitor_has_no_farmer_statement(client):
    client.force_login(UserFactory())
    assert client.get(reverse("farmer_statement")).status_code == 403


@pytest.mark.parametrize("lines", [2, 50])
def test_the_farmer_page_runs_the_same_queries_for_2_and_50_lines(
    farmer, farmer_client, lines, django_assert_num_queries
):
    farmer_month(farmer, lines)
    farmer_client.get(reverse("farmer_statement"))  # warm the session and the site caches
    with django_assert_num_queries(14):
        page = farmer_client.get(reverse("farmer_statement"), {"month": "2026-11"})
    assert page.content.decode().count("data-line=") == lines


# --- files -------------------------------------------------------------------------------------


def test_the_pdf_statement_reads_back(farmer, farmer_client):
    farmer_month(farmer, 2)
    page = farmer_client.get(reverse("farmer_statement_export", args=["pdf"]), {"month": "2026-11"})
    assert page["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(page.content)).pages)
    for figure in ("¥20.01", "¥5.00", "¥0.75", "¥15.00", "-¥0.74", "2026-11-01", "2026-11-30", "王大姐"):
        assert figure in text


def test_the_xlsx_statement_has_numbers_to_sum(farmer, farmer_client):
    farmer_month(farmer, 2)
    page = farmer_client.get(reverse("farmer_statement_export", args=["xlsx"]), {"month": "2026-11"})
    rows = list(openpyxl.load_workbook(io.BytesIO(page.content)).active.iter_rows(values_only=True))
    assert rows[-1][8] == -0.74
    assert sum(row[5] for row in rows[1:3]) == pytest.approx(20.01)


def test_the_csv_has_the_lines_and_the_payout(farmer, farmer_client):
    farmer_month(farmer, 2)
    page = farmer_client.get(reverse("farmer_statement_export", args=["csv"]), {"month": "2026-11"})
    text = page.content.decode("utf-8-sig")
    assert text.count("\n") == 1 + 2 + 1 + 4
    assert "-15.00" in text


def test_an_unknown_format_is_not_found(farmer_client):
    assert farmer_client.get(reverse("farmer_statement_export", args=["doc"])).status_code == 404


# --- the API -------------------------------------------------------------------------------------


def test_the_api_gives_the_sellers_own_statement(farmer, farmer_client):
    farmer_month(farmer, 2)
    body = farmer_client.get("/api/v1/me/statement", {"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert body["totals"] == {
        "opening_balance_fen": 0,
        "gross_fen": 2001,
        "refunds_fen": 500,
        "commission_fen": 75,
        "net_fen": 1426,
        "payouts_fen": 1500,
        "balance_fen": -74,
    }
    assert len(body["lines"]) == 2 and body["payouts"][0]["method"] == "bank"
    assert body["from"] == "2026-11-01"


def test_the_api_answers_a_host_too():
    host = UserFactory()
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    sale(host, [30000], when=at(2026, 11, 3), kind="stay")
    body = logged_in(host).get("/api/v1/me/statement").json()
    assert body["totals"]["gross_fen"] == 30000


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "soon"}, "to"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "to"),
    ],
)
def test_the_api_refuses_bad_dates(farmer_client, query, field):
    answer = farmer_client.get("/api/v1/me/statement", query)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", field]


def test_the_api_refuses_anyone_who_sells_nothing(client):
    assert client.get("/api/v1/me/statement").status_code == 401
    client.force_login(UserFactory())
    answer = client.get("/api/v1/me/statement")
    assert (answer.status_code, answer.json()["code"]) == (403, "not_a_seller")


# --- the admin -----------------------------------------------------------------------------------


def test_a_host_reads_only_their_own_statement_in_the_admin(home_page):
    hosts = Group.objects.get_or_create(name=HOSTS)[0]
    host, neighbour = UserFactory(), UserFactory()
    for user in (host, neighbour):
        user.groups.add(hosts)
    from homestays.services import grant_host_access

    grant_host_access(HomestayPageFactory(parent=home_page, host=host))
    sale(host, [12300], when=at(2026, 11, 3), kind="stay")
    sale(neighbour, [45600], when=at(2026, 11, 3), kind="stay")
    client = logged_in(host)

    mine = client.get(reverse("statements_mine"), {"month": "2026-11"}).content.decode()
    assert "123.00" in mine and "456.00" not in mine
    # Every seller's statements are for staff: a host is turned away.
    assert client.get(reverse("statements_seller", args=[neighbour.pk])).status_code == 302
    assert client.get(reverse("statements_index")).status_code == 302


def test_the_tourism_office_keeps_rates_and_payouts_but_deletes_no_payout():
    """Editors (the office, not only superusers) set rates, record payouts and read every
    statement; deleting a payout stays with superusers (statements/migrations/0002)."""
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    for codename in (
        "view_payout",
        "add_payout",
        "change_payout",
        "add_commissionrate",
        "change_commissionrate",
    ):
        assert editor.has_perm(f"statements.{codename}"), codename
    assert not editor.has_perm("statements.delete_payout")
    client = logged_in(editor)
    assert client.get(reverse("statements_index"), {"month": "2026-11"}).status_code == 200
    visitor = logged_in(UserFactory())
    assert visitor.get(reverse("statements_index")).status_code == 302


def test_staff_read_every_sellers_balance(admin_client):
    farmer, host = UserFactory(display_name="王大姐"), UserFactory(display_name="李师傅")
    sale(farmer, [10000], when=at(2026, 11, 3), bp=1000)
    sale(host, [20000], when=at(2026, 11, 4), kind="stay")
    payout(host, 5000, datetime.date(2026, 11, 5))
    html = admin_client.get(reverse("statements_index"), {"month": "2026-11"}).content.decode()
    assert f'data-seller="{farmer.pk}"' in html and f'data-seller="{host.pk}"' in html
    assert "¥90.00" in html and "¥150.00" in html
    assert "¥240.00" in html  # owed to all


@pytest.mark.parametrize("sellers", [2, 8])
def test_the_staff_list_runs_the_same_queries_for_2_and_8_sellers(
    admin_client, sellers, django_assert_num_queries
):
    for n in range(sellers):
        seller = UserFactory()
        sale(seller, [1000 + n], when=at(2026, 11, 3))
        payout(seller, 100, datetime.date(2026, 11, 4))
    admin_client.get(reverse("statements_index"))  # warm the session and the admin's caches
    with django_assert_num_queries(20):
        page = admin_client.get(reverse("statements_index"), {"month": "2026-11"})
    assert page.content.decode().count("data-seller=") == sellers


def test_a_hosts_file_is_their_own_statement():
    host, neighbour = UserFactory(display_name="甲"), UserFactory(display_name="乙")
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    sale(host, [12300], when=at(2026, 11, 3), kind="stay")
    sale(neighbour, [45600], when=at(2026, 11, 3), kind="stay")
    text = logged_in(host).get(reverse("statements_mine_export", args=["csv"]), {"month": "2026-11"})
    body = text.content.decode("utf-8-sig")
    assert "123.00" in body and "456.00" not in body
