"""Vouchers: unguessable codes, QR images, and a check-in that never admits twice."""

import pytest

from homestays.models import HomestayPage
from orders import order_state
from orders.models import OrderStatus, PaymentStatus, Voucher
from orders.qr import qr_png, qr_svg_data_uri
from orders.vouchers import CheckInResult, check_in
from tests.factories.accounts import UserFactory, VerifiedUserFactory

from .checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def voucher(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    return check_out(visitor).order.lines.get().voucher


def test_codes_are_long_and_unique(voucher):
    assert len(voucher.code) == 16
    assert Voucher.objects.filter(code=voucher.code).count() == 1


def test_qr_images():
    assert qr_svg_data_uri("ABC").startswith("data:image/svg+xml;base64,")
    assert qr_png("ABC").startswith(b"\x89PNG")


@pytest.fixture
def host(voucher, stay_room):
    host = UserFactory()
    HomestayPage.objects.filter(pk=stay_room.page_id).update(host=host)
    voucher.order_line.provider_user = host
    voucher.order_line.save()
    return host


def test_host_checks_in_once(voucher, host):
    order_state.mark_paid_on_site(voucher.order_line.order, by_user=host)
    typed = voucher.code[:4].lower() + " - " + voucher.code[4:]
    assert check_in(typed, by_user=host)[0] == CheckInResult.ADMITTED
    assert check_in(voucher.code, by_user=host)[0] == CheckInResult.ALREADY_USED
    voucher.refresh_from_db()
    assert voucher.used_by == host


def test_unpaid_on_site_order_is_not_checked_in_until_the_money_is_taken(voucher, host):
    order = voucher.order_line.order
    payment = order.payments.get()
    assert check_in(voucher.code, by_user=host)[0] == CheckInResult.UNPAID
    voucher.refresh_from_db()
    payment.refresh_from_db()
    assert voucher.used_at is None and payment.status == PaymentStatus.PENDING

    assert check_in(voucher.code, by_user=host, collect=True)[0] == CheckInResult.ADMITTED
    payment.refresh_from_db()
    assert (payment.status, payment.recorded_by) == (PaymentStatus.SUCCEEDED, host)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    # Pressed again: nothing more is recorded and nobody is admitted twice.
    assert check_in(voucher.code, by_user=host, collect=True)[0] == CheckInResult.ALREADY_USED
    assert order.payments.get().paid_at == payment.paid_at


def test_other_hosts_and_unknown_codes_refused(voucher):
    assert check_in(voucher.code, by_user=UserFactory())[0] == CheckInResult.NOT_VALID
    assert check_in("NOPE", by_user=VerifiedUserFactory(is_staff=True))[0] == CheckInResult.NOT_VALID
    voucher.refresh_from_db()
    assert voucher.used_at is None


def test_cancelled_orders_voucher_not_valid(voucher, visitor):
    order_state.cancel_order(voucher.order_line.order, by_user=visitor)
    assert check_in(voucher.code, by_user=VerifiedUserFactory(is_staff=True))[0] == CheckInResult.NOT_VALID
