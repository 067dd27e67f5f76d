"""Checkout: basket → order in one transaction, all or none, once per submission."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail

from accounts.services import UnverifiedEmail
from homestays.models import HomestayPage
from orders.checkout import BasketEmpty, CheckoutInvalid, TotalChanged
from orders.exceptions import SoldOut
from orders.models import Basket, BasketLine, Order, OrderStatus, Payment, Reservation, ReservationStatus
from tests.factories.accounts import UserFactory
from tests.factories.homestays import RoomTypeFactory

from .checkout_fixtures import FakeOnlineProvider, basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_on_site_checkout_confirms_order_with_snapshots(
    visitor, stay_room, arrival, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    with django_capture_on_commit_callbacks(execute=True):
        result = check_out(visitor, notes={})
    order = result.order
    assert order.reference.startswith("TY-")
    assert len(order.reference) == len("TY-2026-8K3D2Q")
    assert order.status == OrderStatus.CONFIRMED
    assert order.total_fen == 60000
    (line,) = order.lines.all()
    assert (line.unit_price_fen, line.nights, line.total_fen) == (60000, 2, 60000)
    assert line.title == stay_room.page.title and line.item_name == stay_room.name
    assert line.cancellation_policy == "moderate"
    assert line.voucher.code
    (reservation,) = line.reservations.all()
    assert reservation.status == ReservationStatus.CONFIRMED
    payment = order.payments.get()
    assert (payment.provider, payment.status, payment.amount_fen) == ("on_site", "pending", 60000)
    assert not BasketLine.objects.exists()
    subjects = [m.subject for m in mail.outbox]
    assert any(
        order.reference in s and visitor.email in m.to for s, m in zip(subjects, mail.outbox, strict=True)
    )


def test_host_is_told(visitor, stay_room, arrival, django_capture_on_commit_callbacks):
    host = UserFactory(email="host@example.com")
    HomestayPage.objects.filter(pk=stay_room.page_id).update(host=host)
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        check_out(visitor)
    assert [m.to for m in mail.outbox] == [[visitor.email], ["host@example.com"]]
    confirmation = mail.outbox[0]
    assert confirmation.alternatives and "cid:voucher-" in confirmation.alternatives[0][0]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "New booking {ref}"),
        # Blank: the town's default language, whatever the request's (English here).
        ("", "新预订 {ref}"),
    ],
)
def test_the_host_is_told_in_their_language(
    visitor, stay_room, arrival, django_capture_on_commit_callbacks, language, subject
):
    host = UserFactory(email="host@example.com", language=language)
    HomestayPage.objects.filter(pk=stay_room.page_id).update(host=host)
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        order = check_out(visitor).order
    (notice,) = [m for m in mail.outbox if m.to == ["host@example.com"]]
    assert notice.subject.endswith(subject.format(ref=order.reference))


def test_online_checkout_stays_pending_and_starts_payment(
    visitor, stay_room, arrival, fake_online, django_capture_on_commit_callbacks
):
    basket_with_stay(visitor, stay_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        result = check_out(visitor, payment_method="fake_online")
    assert result.order.status == OrderStatus.PENDING
    assert result.client_secret == f"secret_{result.order.payments.get().pk}"
    assert Reservation.objects.get().status == ReservationStatus.HELD
    assert mail.outbox == []


def test_all_or_none(visitor, stay_homestay, arrival):
    free = RoomTypeFactory(page=stay_homestay, units=1)
    taken = RoomTypeFactory(page=stay_homestay, units=1)
    basket_with_stay(visitor, free, arrival)
    basket = basket_with_stay(visitor, taken, arrival)
    other = UserFactory()
    from orders.reservations import Claim, reserve

    reserve(
        [Claim("stay", taken.pk, 1, arrival, arrival + timedelta(days=2))],
        holder=other,
    )
    with pytest.raises(SoldOut):
        check_out(visitor, basket)
    assert Order.objects.count() == 0
    assert Reservation.objects.filter(holder=visitor).count() == 0
    assert basket.lines.count() == 2


def test_double_submit_same_token_one_order(visitor, stay_room, arrival):
    token = uuid.uuid4()
    basket_with_stay(visitor, stay_room, arrival)
    first = check_out(visitor, token=token)
    second = check_out(visitor, token=token)
    assert second.existing and second.order.pk == first.order.pk
    assert Order.objects.count() == 1


def test_double_submit_without_token_finds_empty_basket(visitor, stay_room, arrival):
    basket = basket_with_stay(visitor, stay_room, arrival)
    check_out(visitor, basket)
    with pytest.raises(BasketEmpty):
        check_out(visitor, basket)
    assert Order.objects.count() == 1


def test_unverified_user_refused(stay_room, arrival):
    user = UserFactory()
    basket_with_stay(user, stay_room, arrival)
    with pytest.raises(UnverifiedEmail) as info:
        check_out(user)
    assert "confirm your e-mail" in str(info.value.message)
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "phone", "field"),
    [
        ("", "13800000000", "contact_name"),
        ("李华", "", "contact_phone"),
        ("李华", "call me", "contact_phone"),
        ("x" * 101, "13800000000", "contact_name"),
        ("李华", "1" * 30, "contact_phone"),
    ],
)
def test_contact_validated(visitor, stay_room, arrival, name, phone, field):
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid) as info:
        check_out(visitor, contact_name=name, contact_phone=phone)
    assert field in info.value.errors
    assert Order.objects.count() == 0


def test_unknown_payment_method_refused(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid) as info:
        check_out(visitor, payment_method="bitcoin")
    assert "payment_method" in info.value.errors


def test_homestay_refusing_on_site_payment(visitor, stay_room, arrival):
    HomestayPage.objects.filter(pk=stay_room.page_id).update(accepts_payment_on_site=False)
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid):
        check_out(visitor, payment_method="on_site")


def test_zero_total_confirmed_at_once(visitor, stay_homestay, arrival, django_capture_on_commit_callbacks):
    free_room = RoomTypeFactory(page=stay_homestay, base_price_fen=0)
    basket_with_stay(visitor, free_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        result = check_out(visitor, payment_method="on_site")
    assert result.order.status == OrderStatus.CONFIRMED
    assert result.order.total_fen == 0
    assert not Payment.objects.exists()
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED
    assert len(mail.outbox) == 1


def test_another_users_basket_refused(visitor, stay_room, arrival):
    other = UserFactory()
    basket = basket_with_stay(other, stay_room, arrival)
    with pytest.raises(BasketEmpty):
        check_out(visitor, basket)
    assert Basket.objects.get(pk=basket.pk).lines.count() == 1


def test_reference_collision_retried(visitor, stay_room, arrival, monkeypatch):
    from orders import order_state
    from tests.factories.orders import OrderFactory

    OrderFactory(reference="TY-2030-AAAAAA")
    refs = iter(["TY-2030-AAAAAA", "TY-2030-CCCCCC"])
    monkeypatch.setattr(order_state, "new_reference", lambda now=None: next(refs))
    basket_with_stay(visitor, stay_room, arrival)
    assert check_out(visitor).order.reference == "TY-2030-CCCCCC"


# --- the total the visitor saw ------------------------------------------------------------------


def test_a_total_that_changed_since_it_was_shown_stops_the_checkout(visitor, stay_room, arrival):
    basket = basket_with_stay(visitor, stay_room, arrival, nights=2)  # ¥600.00 on the page
    RoomTypeFactory._meta.model.objects.filter(pk=stay_room.pk).update(base_price_fen=35000)
    with pytest.raises(TotalChanged) as info:
        check_out(visitor, shown_total=60000)
    assert (info.value.shown_fen, info.value.total_fen, info.value.code) == (60000, 70000, "total_changed")
    assert "¥600.00" in str(info.value.message) and "¥700.00" in str(info.value.message)
    # Nothing held, ordered or charged; the basket is as it was.
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert not Reservation.objects.exists()
    assert basket.lines.count() == 1
    assert mail.outbox == []
    # Checked out again with the total now shown: it goes through at that total.
    assert check_out(visitor, shown_total=70000).order.total_fen == 70000


def test_the_total_shown_is_checked_only_when_given(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    assert check_out(visitor, shown_total=60000).order.total_fen == 60000
    basket_with_stay(visitor, stay_room, arrival + timedelta(days=7), nights=1)
    assert check_out(visitor).order.total_fen == 30000


@pytest.mark.parametrize("shown", ["abc", "-1", -1, 12.5, "600.00", True, [60000]])
def test_a_malformed_total_shown_is_refused(visitor, stay_room, arrival, shown):
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid) as info:
        check_out(visitor, shown_total=shown)
    assert "shown_total_fen" in info.value.errors
    assert not Order.objects.exists() and not Reservation.objects.exists()


def test_a_sold_out_line_says_so_rather_than_total_changed(visitor, stay_room, arrival):
    from orders.reservations import Claim, reserve

    basket_with_stay(visitor, stay_room, arrival)
    reserve(
        [Claim("stay", stay_room.pk, 1, arrival, arrival + timedelta(days=2))],
        holder=UserFactory(),
    )
    with pytest.raises(SoldOut):
        check_out(visitor, shown_total=1)


# --- free orders ------------------------------------------------------------------------------


@pytest.fixture
def online_only(monkeypatch):
    """Only an online provider is offered (no pay-on-site): a free order must not need it."""
    from orders.payments import base as payments_base

    provider = FakeOnlineProvider()
    monkeypatch.setattr(payments_base, "_registry", lambda: {provider.name: provider})
    return provider


@pytest.mark.parametrize("method", [None, "", "on_site", "bitcoin"])
def test_a_free_order_needs_no_payment_method(
    visitor, stay_homestay, arrival, online_only, method, django_capture_on_commit_callbacks
):
    free_room = RoomTypeFactory(page=stay_homestay, base_price_fen=0)
    basket_with_stay(visitor, free_room, arrival)
    with django_capture_on_commit_callbacks(execute=True):
        result = check_out(visitor, payment_method=method, shown_total=0)
    order = result.order
    assert order.status == OrderStatus.CONFIRMED and order.total_fen == 0
    assert not Payment.objects.exists() and online_only.started == []
    assert order.lines.get().voucher.code
    assert Reservation.objects.get().status == ReservationStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [[visitor.email]]


def test_an_order_with_something_to_pay_still_needs_a_method(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival)
    with pytest.raises(CheckoutInvalid) as info:
        check_out(visitor, payment_method=None)
    assert "payment_method" in info.value.errors
    assert not Order.objects.exists() and not Reservation.objects.exists()


def test_a_free_item_that_now_costs_stops_before_asking_for_a_method(visitor, stay_homestay, arrival):
    room = RoomTypeFactory(page=stay_homestay, base_price_fen=0)
    basket_with_stay(visitor, room, arrival)  # free on the page: no payment step shown
    RoomTypeFactory._meta.model.objects.filter(pk=room.pk).update(base_price_fen=10000)
    with pytest.raises(TotalChanged) as info:
        check_out(visitor, payment_method=None, shown_total=0)
    assert info.value.total_fen == 20000
    assert not Order.objects.exists()
