"""Gate check-in: staff admit vouchers of one event or tour slot, once, with live counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events import gate as gate_service
from orders import order_state
from orders.models import OrderStatus, Payment, PaymentStatus, Voucher
from orders.vouchers import CheckInResult
from tests.factories.accounts import UserFactory, VerifiedUserFactory
from tests.factories.events import EventPageFactory, TicketTypeFactory

from .ticket_fixtures import buy_tickets

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(client, staff, english):
    client.force_login(staff)
    return client


def gate_url(gate_key):
    return reverse("events_gate_scan", args=[gate_key])


def voucher_of(result):
    return Voucher.objects.get(order_line__order=result.order)


def scan(client, festival, code, scan_id="s1"):
    return client.post(gate_url(f"event-{festival.pk}"), {"code": code, "scan_id": scan_id})


def paid(result):
    """The checkout ``result`` with its on-site payment taken at the visitor centre beforehand."""
    assert order_state.mark_paid_on_site(result.order, by_user=UserFactory(is_staff=True)) == "paid"
    return result


def test_staff_admit_a_ticket_and_see_who_it_is_for(staff_client, visitor, festival, day_pass):
    code = voucher_of(paid(buy_tickets(visitor, day_pass, 2, contact_name="王芳"))).code
    buy_tickets(VerifiedUserFactory(), day_pass, 1)
    response = scan(staff_client, festival, code.lower())
    assert response.status_code == 200
    assert 'data-result="admitted"' in response.text
    assert "王芳" in response.text and "日票" in response.text
    assert "Admitted 2 of 3" in response.text
    voucher = Voucher.objects.get(code=code)
    assert voucher.used_at is not None
    assert voucher.used_by.is_staff


def test_second_scan_is_refused_with_the_time_of_the_first(staff_client, visitor, festival, day_pass):
    code = voucher_of(paid(buy_tickets(visitor, day_pass))).code
    scan(staff_client, festival, code, scan_id="first")
    first = Voucher.objects.get(code=code).used_at
    response = scan(staff_client, festival, code, scan_id="second")
    assert response.status_code == 409
    assert 'data-result="already_used"' in response.text
    assert timezone.localtime(first).strftime("%Y-%m-%d %H:%M:%S") in response.text
    assert "Admitted 1 of 1" in response.text


def test_retried_post_of_the_same_scan_admits_once_and_says_admitted(
    staff_client, visitor, festival, day_pass
):
    code = voucher_of(paid(buy_tickets(visitor, day_pass, 2))).code
    first = scan(staff_client, festival, code, scan_id="retry-me")
    again = scan(staff_client, festival, code, scan_id="retry-me")
    assert first.status_code == again.status_code == 200
    assert 'data-result="admitted"' in again.text
    assert "Admitted 2 of 2" in again.text
    assert gate_service.gate_counts(gate_service.get_gate(f"event-{festival.pk}")) == (2, 2)


def test_code_of_another_event_is_refused_and_stays_unused(staff_client, visitor, festival, day_pass):
    other = EventPageFactory(parent=festival.get_parent(), title="茶节")
    tea = TicketTypeFactory(page=other, name="茶节票")
    code = voucher_of(buy_tickets(visitor, tea)).code
    response = scan(staff_client, festival, code)
    assert response.status_code == 422
    assert 'data-result="elsewhere"' in response.text
    assert Voucher.objects.get(code=code).used_at is None


def test_unknown_code_is_refused(staff_client, festival, day_pass):
    response = scan(staff_client, festival, "NOTACODE")
    assert response.status_code == 422
    assert 'data-result="not_valid"' in response.text


def test_empty_code_is_refused(staff_client, festival, day_pass):
    response = scan(staff_client, festival, "  ")
    assert response.status_code == 422


def test_code_of_an_unpaid_order_is_refused(staff_client, visitor, festival, day_pass, fake_online):
    result = buy_tickets(visitor, day_pass, payment_method="fake_online")
    assert result.order.status == "pending"
    response = scan(staff_client, festival, voucher_of(result).code)
    assert response.status_code == 422
    assert 'data-result="not_valid"' in response.text
    assert "Admitted 0 of 0" in response.text


def test_code_of_a_cancelled_order_is_refused(staff_client, visitor, festival, day_pass):
    result = buy_tickets(visitor, day_pass)
    order_state.cancel_order(result.order, by_user=visitor, reason="test")
    response = scan(staff_client, festival, voucher_of(result).code)
    assert response.status_code == 422
    assert Voucher.objects.get(order_line__order=result.order).used_at is None


def test_free_registration_is_admitted(staff_client, visitor, festival, free_pass):
    code = voucher_of(buy_tickets(visitor, free_pass)).code
    assert scan(staff_client, festival, code).status_code == 200


def test_visitors_cannot_open_the_gate(client, visitor, festival, day_pass):
    client.force_login(visitor)
    assert client.get(gate_url(f"event-{festival.pk}")).status_code == 403
    assert client.get(reverse("events_gate")).status_code == 403
    code = voucher_of(buy_tickets(visitor, day_pass)).code
    assert scan(client, festival, code).status_code == 403
    assert Voucher.objects.get(code=code).used_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, festival):
    response = client.get(reverse("events_gate"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_gate_is_404(staff_client):
    assert staff_client.get(gate_url("event-999999")).status_code == 404
    assert staff_client.get(gate_url("nonsense")).status_code == 404


def test_gate_index_lists_todays_event_first(staff_client, festival, day_pass):
    now = timezone.now()
    today = EventPageFactory(
        parent=festival.get_parent(),
        title="今日集市",
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=1),
    )
    TicketTypeFactory(page=today)
    EventPageFactory(parent=festival.get_parent(), title="无票活动")
    html = staff_client.get(reverse("events_gate")).text
    assert html.index("今日集市") < html.index("桃花节")
    assert "无票活动" not in html  # nothing to check in


# --- tour slots -------------------------------------------------------------------------------


@pytest.fixture
def tour_slot(home_page):
    from tests.factories.attractions import AttractionIndexPageFactory, ExperiencePageFactory, TourSlotFactory

    index = AttractionIndexPageFactory(parent=home_page, slug="attractions-tours")
    owner = VerifiedUserFactory()
    experience = ExperiencePageFactory(
        parent=index, title="草莓采摘", free_under_age=0, schedules=[], owner=owner
    )
    return TourSlotFactory(experience=experience, starts_at=timezone.now() + datetime.timedelta(days=1))


def book_tour(user, slot, adults=2, children=1):
    from orders import basket as basket_service
    from orders.models import Basket
    from tests.orders.checkout_fixtures import check_out

    basket, _created = Basket.objects.get_or_create(user=user)
    basket_service.add_line(
        basket, {"kind": "tour", "slot_id": slot.pk, "adults": adults, "children": children}
    )
    return check_out(user, basket)


def test_tour_slot_gate_admits_the_party_and_counts_people(staff_client, visitor, tour_slot):
    code = voucher_of(paid(book_tour(visitor, tour_slot))).code
    response = staff_client.post(gate_url(f"slot-{tour_slot.pk}"), {"code": code, "scan_id": "t1"})
    assert response.status_code == 200
    assert "2 adults, 1 child" in response.text
    assert "Admitted 3 of 3" in response.text


def test_tour_code_is_refused_at_an_event_gate(staff_client, visitor, tour_slot, festival, day_pass):
    code = voucher_of(book_tour(visitor, tour_slot)).code
    response = scan(staff_client, festival, code)
    assert response.status_code == 422
    assert Voucher.objects.get(code=code).used_at is None


def test_tour_provider_opens_their_own_slot_but_not_events(client, visitor, tour_slot, festival, day_pass):
    code = voucher_of(paid(book_tour(visitor, tour_slot))).code
    client.force_login(tour_slot.experience.owner)
    response = client.post(gate_url(f"slot-{tour_slot.pk}"), {"code": code, "scan_id": "p1"})
    assert response.status_code == 200
    assert Voucher.objects.get(code=code).used_at is not None
    assert client.get(gate_url(f"event-{festival.pk}")).status_code == 403


def test_service_admits_once_whatever_the_number_of_scans(staff, visitor, festival, day_pass):
    code = voucher_of(paid(buy_tickets(visitor, day_pass))).code
    gate = gate_service.get_gate(f"event-{festival.pk}")
    results = [gate_service.admit(gate, code, by_user=staff).result for _ in range(3)]
    assert results == [CheckInResult.ADMITTED, CheckInResult.ALREADY_USED, CheckInResult.ALREADY_USED]


# --- orders to be paid on site ----------------------------------------------------------------


def collect(client, festival, code, scan_id="c1"):
    return client.post(
        gate_url(f"event-{festival.pk}"), {"code": code, "scan_id": scan_id, "action": "collect"}
    )


def test_unpaid_on_site_voucher_is_not_admitted_and_shows_what_to_collect(
    staff_client, visitor, festival, day_pass
):
    result = buy_tickets(visitor, day_pass, 2)
    assert result.order.status == "confirmed"  # on-site orders are confirmed before they are paid
    response = scan(staff_client, festival, voucher_of(result).code)
    assert response.status_code == 402
    assert 'data-result="unpaid"' in response.text
    assert "To collect: ¥160.00 for this order (1 line)" in response.text
    assert 'name="action" value="collect"' in response.text
    assert "Admitted 0 of 2" in response.text
    assert Voucher.objects.get(order_line__order=result.order).used_at is None
    assert result.order.payments.get().status == PaymentStatus.PENDING


def test_collected_records_the_payment_by_the_staff_member_and_admits(
    staff_client, staff, visitor, festival, day_pass
):
    result = buy_tickets(visitor, day_pass, 2)
    code = voucher_of(result).code
    scan(staff_client, festival, code)
    response = collect(staff_client, festival, code.lower())
    assert response.status_code == 200
    assert 'data-result="admitted"' in response.text
    assert "Admitted 2 of 2" in response.text
    payment = result.order.payments.get()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.recorded_by == staff
    assert payment.paid_at is not None
    result.order.refresh_from_db()
    assert result.order.status == OrderStatus.PAID
    voucher = Voucher.objects.get(code=code)
    assert voucher.used_at is not None and voucher.used_by == staff


def test_a_retried_or_second_collect_takes_no_second_payment(
    staff_client, staff, visitor, festival, day_pass
):
    result = buy_tickets(visitor, day_pass, 1)
    code = voucher_of(result).code
    first = collect(staff_client, festival, code, scan_id="press-once")
    paid_at = result.order.payments.get().paid_at
    again = collect(staff_client, festival, code, scan_id="press-once")  # the same post, retried
    assert first.status_code == again.status_code == 200
    assert 'data-result="admitted"' in again.text
    other_staff = UserFactory(is_staff=True)
    gate = gate_service.get_gate(f"event-{festival.pk}")
    later = gate_service.admit(gate, code, by_user=other_staff, collect=True)  # a colleague's phone
    assert later.result == CheckInResult.ALREADY_USED
    payment = Payment.objects.get(order=result.order)
    assert (payment.status, payment.paid_at, payment.recorded_by) == (PaymentStatus.SUCCEEDED, paid_at, staff)
    assert payment.refunds.count() == 0
    assert gate_service.gate_counts(gate) == (1, 1)


def test_the_amount_to_collect_is_the_whole_orders(staff_client, visitor, festival, day_pass):
    from orders import basket as basket_service
    from orders.models import Basket

    from .ticket_fixtures import ticket_data

    family = TicketTypeFactory(page=festival, name="家庭票", price_fen=20000, capacity=5)
    basket, _created = Basket.objects.get_or_create(user=visitor)
    basket_service.add_line(basket, ticket_data(day_pass, 2))
    result = buy_tickets(visitor, family, 1)  # one order: 2 day passes and a family ticket
    vouchers = list(Voucher.objects.filter(order_line__order=result.order).order_by("pk"))
    assert len(vouchers) == 2
    response = scan(staff_client, festival, vouchers[0].code)
    assert "To collect: ¥360.00 for this order (2 lines)" in response.text
    collect(staff_client, festival, vouchers[0].code)
    # The order is paid now: its other voucher goes straight in.
    response = scan(staff_client, festival, vouchers[1].code, scan_id="s2")
    assert 'data-result="admitted"' in response.text
    assert Payment.objects.get(order=result.order).amount_fen == 36000


def test_paid_and_free_vouchers_are_admitted_without_collecting(staff_client, visitor, festival, free_pass):
    response = scan(staff_client, festival, voucher_of(buy_tickets(visitor, free_pass)).code)
    assert 'data-result="admitted"' in response.text
    assert "To collect" not in response.text


def test_collect_for_a_cancelled_order_takes_nothing(staff_client, visitor, festival, day_pass):
    result = buy_tickets(visitor, day_pass)
    order_state.cancel_order(result.order, by_user=visitor, reason="test")
    response = collect(staff_client, festival, voucher_of(result).code)
    assert response.status_code == 422
    assert 'data-result="not_valid"' in response.text
    assert result.order.payments.get().status == PaymentStatus.CANCELED


def test_collect_of_a_voucher_for_another_gate_takes_nothing(staff_client, visitor, festival, day_pass):
    other = EventPageFactory(parent=festival.get_parent(), title="茶节")
    result = buy_tickets(visitor, TicketTypeFactory(page=other, name="茶节票", price_fen=5000))
    response = collect(staff_client, festival, voucher_of(result).code)
    assert response.status_code == 422
    assert result.order.payments.get().status == PaymentStatus.PENDING


def test_tour_provider_collects_at_their_own_slot(client, visitor, tour_slot):
    result = book_tour(visitor, tour_slot, adults=1, children=0)
    owner = tour_slot.experience.owner
    client.force_login(owner)
    url = gate_url(f"slot-{tour_slot.pk}")
    code = voucher_of(result).code
    response = client.post(url, {"code": code, "scan_id": "p1"})
    assert response.status_code == 402
    response = client.post(url, {"code": code, "scan_id": "p2", "action": "collect"})
    assert response.status_code == 200
    assert Payment.objects.get(order=result.order).recorded_by == owner
