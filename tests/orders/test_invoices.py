"""Invoice (发票) requests: the tax number's check character, the visitor's request at checkout,
on the order page and through the API, and staff marking it invoiced."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import invoices, order_state
from orders.exceptions import OrderStateError
from orders.invoices import InvoiceInvalid, clean_invoice, credit_code_check_char, tax_number_error
from orders.models import InvoiceRequest, InvoiceStatus, Order
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out, stay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Published codes of real companies (on their invoices and licences): Xiaomi, Tencent, the
# example of the national standard's own explanations.
VALID_CODES = ["91110108551385082Q", "91440300708461136T", "91350100M000100Y43"]

COMPANY = {
    "kind": "company",
    "title": "北京小米科技有限责任公司",
    "tax_number": "91110108551385082Q",
    "address": "北京市海淀区清河中街68号",
    "phone": "010-60606666",
    "bank_name": "中国银行北京分行",
    "bank_account": "3344 5566 7788",
    "email": "finance@example.com",
}


@pytest.fixture
def order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    return check_out(visitor).order


# --- the unified social credit code (GB 32100-2015) -------------------------------------------


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_credit_codes_pass_the_check(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert tax_number_error(code) is None


@pytest.mark.parametrize(
    "code, words",
    [
        ("91110108551385082R", "last character does not match"),  # a typo in the check character
        ("91110108551385083Q", "last character does not match"),  # a typo in the body
        ("91110108551385082", "18 characters"),
        ("9111010855138508I2Q", "18 characters"),
        ("91110108551385O82Q", "not a unified social credit code"),  # O is not in the alphabet
        ("911101A8551385082Q", "not a unified social credit code"),  # the division code is digits
    ],
)
def test_a_bad_credit_code_is_refused_with_the_reason(code, words):
    assert words in str(tax_number_error(code))


def test_the_tax_number_is_read_without_spaces_and_in_capitals():
    details = clean_invoice({**COMPANY, "tax_number": " 9144 0300 7084 6113 6t "})
    assert details.tax_number == "91440300708461136T"


def test_a_company_invoice_needs_a_tax_number_and_a_personal_one_does_not():
    with pytest.raises(InvoiceInvalid) as refused:
        clean_invoice({**COMPANY, "tax_number": ""})
    assert set(refused.value.errors) == {"tax_number"}
    personal = clean_invoice({"kind": "personal", "title": "李华", "email": "li@example.com"})
    assert (personal.kind, personal.tax_number) == ("personal", "")


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvoiceInvalid) as refused:
        clean_invoice(
            {"kind": "shop", "title": "", "email": "nope", "bank_account": "12-ab", "phone": "call me"}
        )
    assert set(refused.value.errors) == {"kind", "title", "email", "bank_account", "bank_name", "phone"}
    with pytest.raises(InvoiceInvalid) as refused:
        clean_invoice({**COMPANY, "bank_name": ""})
    assert set(refused.value.errors) == {"bank_name"}  # an account without its bank


# --- the service ------------------------------------------------------------------------------


def test_the_request_is_set_then_changed_until_it_is_invoiced(order):
    first = invoices.request_invoice(order, {"kind": "personal", "title": "李华", "email": "li@example.com"})
    changed = invoices.request_invoice(order, COMPANY)
    assert changed.pk == first.pk and InvoiceRequest.objects.count() == 1
    assert (changed.kind, changed.tax_number) == ("company", "91110108551385082Q")
    staff = SuperuserFactory()
    done = invoices.mark_invoiced(order, invoice_number="24112000000012345678", by_user=staff)
    assert (done.status, done.invoiced_by) == (InvoiceStatus.INVOICED, staff)
    with pytest.raises(OrderStateError) as refused:
        invoices.request_invoice(order, {**COMPANY, "title": "别的公司"})
    assert refused.value.code == "invoiced"
    assert InvoiceRequest.objects.get().title == COMPANY["title"]


def test_marking_invoiced_needs_a_number_and_a_request(order):
    staff = SuperuserFactory()
    with pytest.raises(OrderStateError):
        invoices.mark_invoiced(order, invoice_number="123", by_user=staff)
    invoices.request_invoice(order, COMPANY)
    with pytest.raises(InvoiceInvalid):
        invoices.mark_invoiced(order, invoice_number="  ", by_user=staff)
    assert InvoiceRequest.objects.get().status == InvoiceStatus.REQUESTED


def test_checkout_makes_the_request_with_the_order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor, invoice=COMPANY).order
    assert order.invoice_request.title == COMPANY["title"]


def test_checkout_with_a_bad_invoice_places_no_order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(InvoiceInvalid):
        check_out(visitor, invoice={**COMPANY, "tax_number": "91110108551385082R"})
    assert not Order.objects.exists() and not InvoiceRequest.objects.exists()
    assert visitor.basket.lines.count() == 1


# --- the pages --------------------------------------------------------------------------------


def _checkout_post(client, **invoice):
    page = client.get(reverse("orders_checkout"))
    data = {
        "contact_name": "李华",
        "contact_phone": "13800000000",
        "payment_method": "on_site",
        "token": page.context["form"].initial["token"],
        "shown_total_fen": page.context["summary"].total.fen,
    }
    data.update({f"invoice-{name}": value for name, value in invoice.items()})
    return client.post(reverse("orders_checkout"), data)


def test_the_checkout_page_folds_the_invoice_section(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    client.force_login(visitor)
    body = client.get(reverse("orders_checkout")).text
    assert "I need an invoice" in body and 'name="invoice-tax_number"' in body
    section = body[body.index('class="invoice-box"') :]
    assert section.split(">", 2)[1].strip() == "<details"  # closed until the visitor opens it


def test_checkout_page_refuses_a_bad_tax_number_and_places_nothing(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    client.force_login(visitor)
    response = _checkout_post(client, wanted="on", **{**COMPANY, "tax_number": "91110108551385082R"})
    assert response.status_code == 422
    assert "last character does not match" in response.text
    assert "<details open>" in response.text
    assert not Order.objects.exists()


def test_checkout_page_places_the_order_with_its_invoice(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    client.force_login(visitor)
    response = _checkout_post(client, wanted="on", **COMPANY)
    order = Order.objects.get()
    assert response.status_code == 302
    assert order.invoice_request.tax_number == COMPANY["tax_number"]


def test_checkout_page_ignores_the_section_unless_ticked(client, visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    client.force_login(visitor)
    response = _checkout_post(client, title="half typed", tax_number="123")
    assert response.status_code == 302
    assert Order.objects.exists() and not InvoiceRequest.objects.exists()


def test_the_visitor_asks_for_an_invoice_on_the_order_page(client, visitor, order):
    client.force_login(visitor)
    url = reverse("orders_order_invoice", args=[order.reference])
    bad = client.post(url, {**COMPANY, "tax_number": "not one"})
    assert bad.status_code == 422 and "18 characters" in bad.text
    assert not InvoiceRequest.objects.exists()
    assert client.post(url, COMPANY).status_code == 302
    page = client.get(order.get_absolute_url()).text
    assert "You can change the details until it is issued" in page and COMPANY["title"] in page


def test_an_invoiced_request_is_shown_and_no_longer_changed(client, visitor, order):
    invoices.request_invoice(order, COMPANY)
    invoices.mark_invoiced(order, invoice_number="No. 0042", by_user=SuperuserFactory())
    client.force_login(visitor)
    page = client.get(order.get_absolute_url()).text
    assert "Invoice No. 0042 was issued" in page and 'name="title"' not in page
    response = client.post(
        reverse("orders_order_invoice", args=[order.reference]), {**COMPANY, "title": "X"}, follow=True
    )
    assert "can no longer be changed" in response.text
    assert InvoiceRequest.objects.get().title == COMPANY["title"]


def test_someone_elses_order_has_no_invoice_form(client, order):
    client.force_login(VerifiedUserFactory())
    assert client.post(reverse("orders_order_invoice", args=[order.reference]), COMPANY).status_code == 404
    assert client.post(reverse("orders_order_invoice", args=["NOSUCHREF"]), COMPANY).status_code == 404
    assert not InvoiceRequest.objects.exists()


def test_the_order_page_reads_the_invoice_without_another_query(client, visitor, order):
    client.force_login(visitor)
    url = order.get_absolute_url()
    client.get(url)  # warm the site, its settings and the session
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    invoices.request_invoice(order, COMPANY)
    with CaptureQueriesContext(connection) as with_one:
        response = client.get(url)
    assert COMPANY["tax_number"] in response.text
    assert len(with_one.captured_queries) == len(without.captured_queries)


# --- the API ----------------------------------------------------------------------------------


def _put(client, ref, data):
    return client.put(
        f"/api/v1/orders/{ref}/invoice-request", data=json.dumps(data), content_type="application/json"
    )


def test_api_puts_and_gets_the_request(client, visitor, order):
    client.force_login(visitor)
    assert client.get(f"/api/v1/orders/{order.reference}/invoice-request").status_code == 404
    response = _put(client, order.reference, COMPANY)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "requested" and response.json()["tax_number"] == COMPANY["tax_number"]
    assert client.get(f"/api/v1/orders/{order.reference}/invoice-request").json()["title"] == COMPANY["title"]


def test_api_answers_422_per_field(client, visitor, order):
    client.force_login(visitor)
    response = _put(client, order.reference, {**COMPANY, "tax_number": "91110108551385082R", "email": "x"})
    assert response.status_code == 422
    fields = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert fields == {("body", "tax_number"), ("body", "email")}
    assert not InvoiceRequest.objects.exists()


def test_api_refuses_others_orders_and_issued_invoices(client, visitor, order):
    client.force_login(VerifiedUserFactory())
    assert _put(client, order.reference, COMPANY).status_code == 404
    client.force_login(visitor)
    _put(client, order.reference, COMPANY)
    invoices.mark_invoiced(order, invoice_number="7", by_user=SuperuserFactory())
    refused = _put(client, order.reference, {**COMPANY, "title": "Y"})
    assert refused.status_code == 409 and refused.json()["code"] == "invoiced"


def test_api_checkout_takes_the_invoice_and_names_its_bad_fields(client, visitor, stay_room, arrival):
    client.force_login(visitor)
    client.post(
        "/api/v1/basket/lines",
        data=json.dumps(stay_data(stay_room, arrival)),
        content_type="application/json",
    )
    body = {"contact_name": "李华", "contact_phone": "13800000000", "invoice": {**COMPANY, "tax_number": "1"}}
    refused = client.post("/api/v1/checkout", data=json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["detail"]] == [["body", "invoice", "tax_number"]]
    assert not Order.objects.exists()
    body["invoice"] = COMPANY
    placed = client.post("/api/v1/checkout", data=json.dumps(body), content_type="application/json")
    assert placed.status_code == 201, placed.content
    assert Order.objects.get(reference=placed.json()["order_ref"]).invoice_request.title == COMPANY["title"]


# --- the admin --------------------------------------------------------------------------------


def test_staff_mark_the_invoice_issued_on_the_order(english_admin_client, order):
    invoices.request_invoice(order, COMPANY)
    url = reverse("orders_admin_manage", args=[order.pk])
    assert COMPANY["tax_number"] in english_admin_client.get(url).text
    assert english_admin_client.post(url, {"action": "invoiced", "invoice_number": ""}).status_code == 422
    response = english_admin_client.post(
        url, {"action": "invoiced", "invoice_number": "24110000000000000042"}
    )
    assert response.status_code == 302
    row = InvoiceRequest.objects.get()
    assert (row.status, row.invoice_number) == (InvoiceStatus.INVOICED, "24110000000000000042")


def test_a_host_cannot_mark_it_invoiced(client, order):
    invoices.request_invoice(order, COMPANY)
    host = VerifiedUserFactory()
    host.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    order.lines.update(provider_user=host)
    client.force_login(host)
    url = reverse("orders_admin_manage", args=[order.pk])
    assert "Mark invoiced" not in client.get(url).text
    client.post(url, {"action": "invoiced", "invoice_number": "1"})
    assert InvoiceRequest.objects.get().status == InvoiceStatus.REQUESTED


def test_a_paid_order_keeps_its_request_through_payment(order):
    invoices.request_invoice(order, COMPANY)
    order_state.mark_paid_on_site(order, by_user=SuperuserFactory())
    assert InvoiceRequest.objects.get(order=order).status == InvoiceStatus.REQUESTED
