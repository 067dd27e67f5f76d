"""PIPL: phone numbers are masked (139****0000) wherever someone other than their owner sees them,
except for staff with ``accounts.view_full_phone`` (the tourism office) and for the host or farmer
who must reach that guest (accounts.privacy)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.template import Context, Template
from django.urls import reverse

from accounts.privacy import mask_phone, may_see_full_phone, shown_phone
from accounts.roles import EDITORS, FULL_PHONE_ROLES, HOSTS
from orders.models import CallOff, CallOffRefund, CallOffRefundStatus, Reservation, WaitlistEntry
from tests.factories.accounts import SuperuserFactory, UserFactory
from tests.factories.orders import OrderFactory, PaymentFactory
from tests.factories.products import ProducerFactory
from tests.orders.checkout_fixtures import (  # noqa: F401  (fixtures)
    arrival,
    basket_with_stay,
    check_out,
    english,
    stay_homestay,
    stay_room,
    visitor,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FULL = "+86 138 0000 0000"  # the factories' contact phone
MASKED = "138****0000"


def staff_user(*perms, full_phone=False):
    """Admin access and ``perms`` ("app.codename"); in the office group when ``full_phone``."""
    user = UserFactory(is_staff=True)
    wanted = ["wagtailadmin.access_admin", *perms]
    for perm in wanted:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    if full_phone:
        user.groups.add(Group.objects.get(name=EDITORS))
    return user


ORDER_STAFF = ("orders.view_order", "orders.change_order")


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# --- the helper -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+8613900000000", "139****0000"),
        ("+86 139 0000 0000", "139****0000"),
        ("139-0000-0000", "139****0000"),
        ("+44 20 7946 0123", "+442****0123"),
        ("0559-6512345", "055****2345"),
        ("12345", "****45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(number, masked):
    assert mask_phone(number) == masked


def test_the_office_group_may_see_numbers_in_full_and_others_not():
    assert FULL_PHONE_ROLES == (EDITORS,)
    office = UserFactory()
    office.groups.add(Group.objects.get(name=EDITORS))
    assert may_see_full_phone(office) and may_see_full_phone(SuperuserFactory())
    assert not may_see_full_phone(UserFactory()) and not may_see_full_phone(staff_user(*ORDER_STAFF))
    assert shown_phone(FULL, UserFactory()) == MASKED
    assert shown_phone(FULL, UserFactory(), serves=True) == FULL


def test_template_filters():
    template = Template("{% load privacy %}{{ n|masked_phone }} {{ n|phone_for:viewer }}")
    assert template.render(Context({"n": FULL, "viewer": UserFactory()})) == f"{MASKED} {MASKED}"
    assert template.render(Context({"n": FULL, "viewer": SuperuserFactory()})) == f"{MASKED} {FULL}"


def test_an_account_known_only_by_its_number_is_named_masked():
    user = UserFactory(email=None, display_name="", phone_number="+8613900000000")
    assert str(user) == user.get_full_name() == user.get_short_name() == "139****0000"


# --- the orders list, its CSV export and inspect page ----------------------------------------


def test_orders_export_masks_the_phone_without_the_permission(client):
    OrderFactory(reference="TY-MASK-1")
    client.force_login(staff_user(*ORDER_STAFF))
    csv = page(client, "/admin/orders/", export="csv")
    assert "TY-MASK-1" in csv and MASKED in csv and FULL not in csv


def test_orders_export_shows_the_phone_to_the_office(client):
    OrderFactory(reference="TY-MASK-1")
    client.force_login(staff_user(*ORDER_STAFF, full_phone=True))
    assert FULL in page(client, "/admin/orders/", export="csv")


def test_order_inspect_page_masks_the_phone(client):
    order = OrderFactory()
    client.force_login(staff_user(*ORDER_STAFF))
    html = page(client, f"/admin/orders/inspect/{order.pk}/")
    assert MASKED in html and FULL not in html


# --- one order's page: staff and the host -------------------------------------------------------


def test_order_page_masks_the_phone_for_staff_without_the_permission(client):
    order = OrderFactory()
    client.force_login(staff_user(*ORDER_STAFF))
    html = page(client, reverse("orders_admin_manage", args=[order.pk]))
    assert MASKED in html and FULL not in html


def test_the_host_sees_their_guests_number_in_full(client, visitor, stay_room, arrival):  # noqa: F811
    basket_with_stay(visitor, stay_room, arrival)
    order = check_out(visitor).order
    host = staff_user()
    order.lines.update(provider_user=host)
    client.force_login(host)
    assert FULL in page(client, reverse("orders_admin_manage", args=[order.pk]))


# --- the waiting list -----------------------------------------------------------------------


def test_waiting_list_masks_the_visitors_number(client):
    waiting = UserFactory(email=None, display_name="", phone_number="+8613900000000")
    WaitlistEntry.objects.create(user=waiting, kind="tour", object_id=1, quantity=1, line_data={})
    client.force_login(staff_user(*ORDER_STAFF))
    html = page(client, reverse("orders_admin_waitlist"))
    assert "139****0000" in html and "13900000000" not in html


# --- the call-off report and its CSV ----------------------------------------------------------


@pytest.fixture
def call_off():
    order = OrderFactory(status="cancelled")
    record = CallOff.objects.create(key="tour:1", kind="tour", title="桃花采摘", reason="Storm")
    CallOffRefund.objects.create(
        call_off=record,
        order=order,
        payment=PaymentFactory(order=order),
        provider="on_site",
        amount_fen=30000,
        status=CallOffRefundStatus.TO_HAND_BACK,
    )
    return record


def test_call_off_report_and_csv_mask_the_phone_without_the_permission(client, call_off):
    client.force_login(staff_user(*ORDER_STAFF))
    url = reverse("reports_call_off", args=[call_off.pk])
    for text in (page(client, url), page(client, url, export="csv")):
        assert MASKED in text and FULL not in text


def test_call_off_csv_has_the_full_phone_for_the_office(client, call_off):
    client.force_login(staff_user(*ORDER_STAFF, full_phone=True))
    assert FULL in page(client, reverse("reports_call_off", args=[call_off.pk]), export="csv")


# --- the homestay bookings list ---------------------------------------------------------------


def test_host_bookings_list_names_the_guest_with_their_full_number(
    client,
    visitor,  # noqa: F811
    stay_homestay,  # noqa: F811
    stay_room,  # noqa: F811
    arrival,  # noqa: F811
):
    host = staff_user()
    host.groups.add(Group.objects.get(name=HOSTS))
    stay_homestay.host = host
    stay_homestay.save(update_fields=["host"])
    basket_with_stay(visitor, stay_room, arrival)
    check_out(visitor)
    assert Reservation.objects.filter(order_line__isnull=False).exists()
    client.force_login(host)
    html = page(client, reverse("homestays_bookings"), month=arrival.strftime("%Y-%m"))
    assert "李华" in html and FULL in html


# --- producers: the review page and the inspect page -----------------------------------------


@pytest.mark.parametrize("view", ["review", "inspect"])
def test_producer_pages_mask_the_farmers_phone_without_the_permission(client, view):
    producer = ProducerFactory(phone="+86 139 5596 0001")
    client.force_login(staff_user("products.view_producer", "products.change_producer"))
    url = (
        reverse("products_producer_review", args=[producer.pk])
        if view == "review"
        else reverse("products_producer_applications:inspect", args=[producer.pk])
    )
    html = page(client, url)
    assert "139****0001" in html and "139 5596 0001" not in html


# --- the user list ----------------------------------------------------------------------------


def test_user_list_masks_numbers_unless_the_viewer_may_see_them(client):
    UserFactory(email=None, display_name="", phone_number="+8613900000000")
    client.force_login(staff_user("accounts.view_user", "accounts.change_user"))
    html = page(client, "/admin/users/")
    assert "139****0000" in html and "13900000000" not in html
    client.force_login(SuperuserFactory())
    assert "+8613900000000" in page(client, "/admin/users/")


# --- the farmer's orders page ---------------------------------------------------------------


def test_farmer_calls_the_buyer_of_a_line_to_hand_over_and_sees_a_finished_one_masked(client):
    from products.models import FulfilmentStatus, LineFulfilment
    from tests.factories.products import ProductFactory
    from tests.products.farmer_fixtures import make_farmer, sold_line

    farmer = make_farmer(display_name="王大姐")
    product = ProductFactory(producer=farmer)
    open_line = sold_line(product)
    done_line = sold_line(product)
    done_line.order.contact_phone = "+86 137 1111 2222"
    done_line.order.save(update_fields=["contact_phone"])
    LineFulfilment.objects.create(order_line=done_line, status=FulfilmentStatus.HANDED_OVER)
    client.force_login(farmer.user)
    html = page(client, reverse("farmer_orders"))
    assert f'href="tel:{FULL}"' in html  # the line still to hand over: the buyer's number to call
    assert "137****2222" in html and "137 1111 2222" not in html
    assert open_line.order.contact_phone == FULL
