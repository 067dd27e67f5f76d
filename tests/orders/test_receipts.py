"""The receipt (收据) PDF of an order, read back with pypdf: what it says, and who may have it."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from orders import invoices, order_state, refunds
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TITLE = "青溪镇第一中学"


@pytest.fixture
def order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    return check_out(visitor).order


@pytest.fixture
def paid(order):
    order_state.mark_paid_on_site(order, by_user=SuperuserFactory())
    return order


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_receipt_names_the_order_its_lines_payment_and_invoice_title(client, visitor, paid):
    invoices.request_invoice(paid, {"kind": "personal", "title": TITLE, "email": "school@example.com"})
    client.force_login(visitor)
    response = client.get(reverse("orders_order_receipt", args=[paid.reference]))
    assert response.status_code == 200
    text = pdf_text(response)
    assert paid.reference in text
    assert "Receipt" in text and "Pay on site" in text and "Status: Paid" in text
    assert "2 nights" in text  # the line as its kind says it
    assert text.count("¥600.00") == 5  # unit price, line, total, the payment, what was paid
    assert TITLE in text  # Chinese through the CID font, extractable
    line = paid.lines.get()
    assert line.title in text  # the homestay's Chinese name


def test_the_receipt_in_chinese(client, visitor, paid):
    client.force_login(visitor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    with translation.override("zh-hans"):
        url = reverse("orders_order_receipt", args=[paid.reference])
    response = client.get(url)
    text = pdf_text(response)
    assert "收据" in text and paid.reference in text and "¥600.00" in text


def test_a_part_refund_shows_on_the_receipt(client, visitor, paid):
    refunds.refund_part(paid, 10000, reason="A night less", by_user=SuperuserFactory(), manual=True)
    client.force_login(visitor)
    text = pdf_text(client.get(reverse("orders_order_receipt", args=[paid.reference])))
    assert "¥100.00" in text and "¥500.00" in text


def test_an_unpaid_order_has_no_receipt(client, visitor, order):
    client.force_login(visitor)
    response = client.get(reverse("orders_order_receipt", args=[order.reference]))
    assert response.status_code == 409 and "Nothing has been paid" in response.text
    assert "Receipt (PDF)" not in client.get(order.get_absolute_url()).text


def test_receipts_of_no_order_or_someone_elses_are_not_found(client, paid):
    client.force_login(VerifiedUserFactory())
    assert client.get(reverse("orders_order_receipt", args=[paid.reference])).status_code == 404
    assert client.get(reverse("orders_order_receipt", args=["NOSUCHREF"])).status_code == 404


def test_a_visitor_not_logged_in_is_sent_to_log_in(client, paid):
    response = client.get(reverse("orders_order_receipt", args=[paid.reference]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_order_page_and_my_trips_link_the_receipt(client, visitor, paid):
    client.force_login(visitor)
    url = reverse("orders_order_receipt", args=[paid.reference])
    assert url in client.get(paid.get_absolute_url()).text
    assert url in client.get(reverse("orders_trips")).text


def test_staff_have_the_receipt_in_the_admin(english_admin_client, paid):
    response = english_admin_client.get(reverse("orders_admin_receipt", args=[paid.pk]))
    assert response.status_code == 200 and paid.reference in pdf_text(response)
    manage = english_admin_client.get(reverse("orders_admin_manage", args=[paid.pk])).text
    assert reverse("orders_admin_receipt", args=[paid.pk]) in manage


def test_an_admin_user_without_order_rights_has_no_receipt(client, paid):
    editor = VerifiedUserFactory()
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(editor)
    response = client.get(reverse("orders_admin_receipt", args=[paid.pk]))
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/pdf"
