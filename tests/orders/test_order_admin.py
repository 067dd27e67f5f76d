"""Staff in the Wagtail admin: the orders list, mark paid on site, cancel and refund."""

import pytest
from django.urls import reverse

from orders.models import OrderStatus, PaymentStatus, Refund
from tests.factories.accounts import SuperuserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def order(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    return check_out(visitor).order


@pytest.fixture
def staff_client(client):
    client.force_login(SuperuserFactory())
    return client


def test_orders_list_filters_and_export(staff_client, order):
    listing = staff_client.get("/admin/orders/")
    assert listing.status_code == 200
    assert order.reference in listing.content.decode()
    filtered = staff_client.get("/admin/orders/", {"status": "cancelled", "lines__kind": "stay"})
    assert filtered.status_code == 200
    assert order.reference not in filtered.content.decode()
    export = staff_client.get("/admin/orders/", {"export": "csv"})
    assert export.status_code == 200
    assert order.reference in b"".join(export.streaming_content).decode()


def test_mark_paid_then_cancel_and_refund(staff_client, order, django_capture_on_commit_callbacks):
    url = reverse("orders_admin_manage", args=[order.pk])
    assert staff_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "mark_paid"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    response = staff_client.post(url, {"action": "cancel", "reason": ""})
    assert response.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "cancel", "reason": "Road closed", "refund_yuan": "100.50"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "Road closed"
    refund = Refund.objects.get()
    assert refund.amount_fen == 10050 and refund.manual
    assert order.payments.get().status == PaymentStatus.PARTIALLY_REFUNDED


def test_refund_above_paid_refused(staff_client, order, django_capture_on_commit_callbacks):
    url = reverse("orders_admin_manage", args=[order.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"action": "mark_paid"})
    staff_client.post(url, {"action": "cancel", "reason": "x", "refund_yuan": "10000"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not Refund.objects.exists()


def test_non_staff_refused(client, order):
    client.force_login(VerifiedUserFactory())
    response = client.post(reverse("orders_admin_manage", args=[order.pk]), {"action": "mark_paid"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_host_marks_own_order_paid_but_cannot_cancel(client, order, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    host = VerifiedUserFactory()
    host.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    order.lines.update(provider_user=host)
    client.force_login(host)
    url = reverse("orders_admin_manage", args=[order.pk])
    client.post(url, {"action": "cancel", "reason": "mine"})  # refused (Wagtail redirects to the dashboard)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "mark_paid"})
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_host_notice_links_to_manage_page(visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    from django.core import mail

    from homestays.models import HomestayPage

    host = VerifiedUserFactory()
    HomestayPage.objects.filter(pk=stay_room.page_id).update(host=host)
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        placed = check_out(visitor).order
    (notice,) = [m for m in mail.outbox if m.to == [host.email]]
    assert reverse("orders_admin_manage", args=[placed.pk]) in notice.body
