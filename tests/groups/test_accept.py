"""Accepting a quote: every room, slot and entry held through the reservation core, all or none;
one order with a deposit due now and the balance by a date; deposits not paid in time release
everything; a reminder before the balance date; the API and the page's button."""

import datetime
import io

import pytest
from django.urls import reverse

from groups import services
from groups.models import EnquiryStatus, QuoteStatus
from orders import deposits, reservations
from orders.exceptions import OrderStateError
from orders.models import Order, OrderStatus, Payment, Reservation, ReservationStatus
from orders.reservations import Claim
from tests.factories.accounts import SuperuserFactory as StaffUserFactory

from .conftest import E164
from .test_quotes import DAY1, TOTAL, build_quote, enquiry, inventory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
DEPOSIT = 308_850  # 30 % of TOTAL, half up


@pytest.fixture
def quote(enquiry, inventory):  # noqa: F811
    made = build_quote(enquiry, inventory, hold_hours=48)
    made.status = QuoteStatus.SENT
    made.save(update_fields=["status"])
    return made


def live_claims():
    return Reservation.objects.filter(status__in=(ReservationStatus.HELD, ReservationStatus.CONFIRMED))


def test_accepting_holds_every_line_and_makes_one_order_with_a_deposit(quote, now):
    result = services.accept_quote(quote)

    order = result.order
    assert result.accepted and not result.existing and result.unavailable == []
    assert order.status == OrderStatus.PENDING and order.total_fen == TOTAL
    assert order.hold_expires_at == now + datetime.timedelta(hours=48)
    assert order.user.phone_number == E164 and order.contact_name == "王老师"
    # Five lines, meals and transport included; rooms, the slot and the entry (window + day) held.
    assert sorted(order.lines.values_list("kind", flat=True)) == sorted(
        ["stay", "tour", "group_extra", "entry", "group_extra"]
    )
    assert sum(order.lines.values_list("total_fen", flat=True)) == TOTAL
    held = live_claims()
    assert {(r.kind, r.quantity) for r in held} == {
        ("stay", 12),
        ("tour", 49),
        ("entry", 49),
        ("entry_day", 49),
    }
    assert all(
        r.status == ReservationStatus.HELD and r.hold_expires_at == order.hold_expires_at for r in held
    )
    assert not order.payments.exists()  # each part is asked for when paid
    state = deposits.parts_paid(order)
    assert (state.deposit_fen, state.paid_fen, state.due.part, state.due.amount_fen) == (
        DEPOSIT,
        0,
        "deposit",
        DEPOSIT,
    )
    assert state.balance_due_on == DAY1 - datetime.timedelta(days=14)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED and quote.order == order and quote.accepted_at == now
    assert quote.enquiry.status == EnquiryStatus.BOOKED


def test_accepting_twice_gives_the_same_order(quote, now):
    first = services.accept_quote(quote)
    second = services.accept_quote(quote)
    assert second.existing and second.order == first.order
    assert Order.objects.count() == 1 and live_claims().count() == 4


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": QuoteStatus.DRAFT}, "not_sent"),
        ({"valid_until": datetime.date(2027, 3, 8)}, "expired"),
        ({"status": QuoteStatus.EXPIRED}, "expired"),
    ],
)
def test_a_draft_or_expired_quote_cannot_be_accepted(quote, now, change, code):
    for name, value in change.items():
        setattr(quote, name, value)
    quote.save()
    with pytest.raises(services.QuoteNotOpen) as refused:
        services.accept_quote(quote)
    assert refused.value.code == code
    assert not Order.objects.exists() and not Reservation.objects.exists()


def test_what_is_gone_is_listed_and_nothing_is_held(quote, inventory, now):  # noqa: F811
    # Someone else took 20 of the slot's 60 places: 49 no longer fit.
    reservations.reserve([Claim("tour", inventory["slot"].pk, 20)], now=now)
    result = services.accept_quote(quote)
    assert not result.accepted
    assert [(item.line.kind, item.code) for item in result.unavailable] == [("tour", "sold_out")]
    assert result.unavailable[0].reason
    assert live_claims().count() == 1  # only the other visitor's
    assert not Order.objects.exists()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.order is None


def test_lines_that_fit_alone_but_not_together_name_the_line_refused(quote, inventory, now):  # noqa: F811
    line = quote.lines.get(kind="tour")
    line.pk = None
    line.quantity = 20  # 49 + 20 > 60
    line.save()
    result = services.accept_quote(quote)
    assert not result.accepted and [item.line.kind for item in result.unavailable] == ["tour"]
    assert not Reservation.objects.exists()


def test_deposit_then_balance_by_bank_transfer(quote, now):
    order = services.accept_quote(quote).order
    desk = StaffUserFactory()
    deposits.record_bank_transfer(
        order, amount_fen=DEPOSIT, paid_on=datetime.date(2027, 3, 9), reference="ICBC-0001", by_user=desk
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert all(r.status == ReservationStatus.CONFIRMED for r in live_claims())
    state = deposits.parts_paid(order)
    assert state.deposit_paid and state.due.part == "balance" and state.due.amount_fen == TOTAL - DEPOSIT
    with pytest.raises(deposits.TransferInvalid) as twice:
        deposits.record_bank_transfer(
            order, amount_fen=100, paid_on=datetime.date(2027, 3, 9), reference="ICBC-0001", by_user=desk
        )
    assert "reference" in twice.value.errors
    payment = deposits.record_bank_transfer(
        order,
        amount_fen=TOTAL - DEPOSIT,
        paid_on=datetime.date(2027, 3, 9),
        reference="ICBC-0002",
        by_user=desk,
    )
    assert payment.recorded_by == desk and payment.provider_reference == "transfer-ICBC-0002"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and deposits.parts_paid(order).due is None


@pytest.mark.parametrize(
    ("amount", "paid_on", "reference", "field"),
    [
        (0, datetime.date(2027, 3, 9), "r1", "amount_fen"),
        (TOTAL + 1, datetime.date(2027, 3, 9), "r1", "amount_fen"),
        (100, datetime.date(2027, 3, 10), "r1", "paid_on"),
        (100, datetime.date(2027, 3, 9), "  ", "reference"),
    ],
)
def test_a_bad_transfer_is_refused_and_nothing_is_recorded(quote, now, amount, paid_on, reference, field):
    order = services.accept_quote(quote).order
    with pytest.raises(deposits.TransferInvalid) as refused:
        deposits.record_bank_transfer(
            order, amount_fen=amount, paid_on=paid_on, reference=reference, by_user=None
        )
    assert field in refused.value.errors
    assert not Payment.objects.exists()


def test_paying_online_asks_for_the_deposit_then_the_balance(quote, now, settings):
    order = services.accept_quote(quote).order
    with pytest.raises(OrderStateError):
        deposits.start_part_payment(order, "on_site")  # paid in person: recorded by staff instead
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    payment = deposits.start_part_payment(order, "stripe")
    assert (payment.amount_fen, payment.status) == (DEPOSIT, "pending")
    assert deposits.start_part_payment(order, "stripe") == payment  # a second click, same payment


def test_an_unpaid_deposit_releases_everything_and_reopens_the_quote(quote, now, time_machine):
    order = services.accept_quote(quote).order
    time_machine.move_to(now + datetime.timedelta(hours=47))
    assert services.release_unpaid_quotes() == 0
    time_machine.move_to(now + datetime.timedelta(hours=48, minutes=1))
    assert services.release_unpaid_quotes() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not live_claims().exists()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert services.release_unpaid_quotes() == 0  # idempotent
    # Accepting again makes a new order.
    again = services.accept_quote(quote)
    assert again.accepted and again.order != order


def test_a_quote_released_past_its_date_is_expired(quote, now, time_machine):
    services.accept_quote(quote)
    time_machine.move_to(datetime.datetime(2027, 4, 2, 10, tzinfo=datetime.UTC))
    assert services.release_unpaid_quotes() == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED


def test_a_paid_deposit_is_never_released(quote, now, time_machine):
    order = services.accept_quote(quote).order
    deposits.record_bank_transfer(order, amount_fen=DEPOSIT, paid_on=now.date(), reference="B1", by_user=None)
    time_machine.move_to(now + datetime.timedelta(days=5))
    assert services.release_unpaid_quotes() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def at_two(day):
    return datetime.datetime.combine(day, datetime.time(2), datetime.UTC)


def test_the_balance_reminder_goes_out_once(
    quote, now, time_machine, sms_outbox, django_capture_on_commit_callbacks
):
    order = services.accept_quote(quote).order
    deposits.record_bank_transfer(order, amount_fen=DEPOSIT, paid_on=now.date(), reference="B1", by_user=None)
    due = deposits.parts_paid(order).balance_due_on  # 2027-04-28
    time_machine.move_to(at_two(due - datetime.timedelta(days=8)))
    assert deposits.send_balance_reminders(days_before=7) == 0
    time_machine.move_to(at_two(due - datetime.timedelta(days=7)))
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deposits.send_balance_reminders(days_before=7) == 1
        assert deposits.send_balance_reminders(days_before=7) == 0
    texts = [m for m in sms_outbox if m.template == "balance_due"]
    assert len(texts) == 1 and order.reference in texts[0].text and texts[0].phone == E164


# --- the API and the page ----------------------------------------------------------------------


def accept_url(token):
    return f"/api/v1/quotes/{token}/accept"


def test_the_api_accepts_with_201_then_gives_the_same_order(client, quote, now):
    response = client.post(accept_url(quote.token))
    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    assert body["ref"] == order.reference and body["status"] == "pending"
    assert (body["total_fen"], body["deposit_fen"], body["balance_fen"], body["due_now_fen"]) == (
        TOTAL,
        DEPOSIT,
        TOTAL - DEPOSIT,
        DEPOSIT,
    )
    assert body["balance_due_on"] == "2027-04-28"
    assert body["pay_url"].endswith(order.get_absolute_url())
    again = client.post(accept_url(quote.token))
    assert again.status_code == 200 and again.json()["ref"] == order.reference


def test_the_api_answers_409_with_what_is_unavailable(client, quote, inventory, now):  # noqa: F811
    reservations.reserve([Claim("tour", inventory["slot"].pk, 20)], now=now)
    response = client.post(accept_url(quote.token))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "unavailable"
    assert [(item["kind"], item["day"], item["code"]) for item in body["unavailable"]] == [
        ("tour", "2027-05-12", "sold_out")
    ]
    assert not Order.objects.exists()


def test_the_api_answers_404_for_unknown_or_draft_and_410_when_expired(client, quote, now):
    assert client.post(accept_url("nope")).status_code == 404
    quote.valid_until = datetime.date(2027, 3, 1)
    quote.save()
    response = client.post(accept_url(quote.token))
    assert response.status_code == 410 and response.json()["code"] == "expired"
    quote.status = QuoteStatus.DRAFT
    quote.save()
    assert client.post(accept_url(quote.token)).status_code == 404


def test_the_page_button_accepts_and_goes_to_the_order(client, quote, now, english):
    page = client.get(quote.get_absolute_url())
    assert b"Accept and pay the deposit" in page.content
    response = client.post(quote.get_absolute_url())
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()


def test_the_page_says_what_is_unavailable(client, quote, inventory, now, english):  # noqa: F811
    reservations.reserve([Claim("tour", inventory["slot"].pk, 20)], now=now)
    response = client.post(quote.get_absolute_url())
    assert response.status_code == 409
    assert b"can no longer be had" in response.content and "采茶体验".encode() in response.content


def test_the_order_page_shows_the_deposit_and_the_balance_due(client, quote, now, english):
    order = services.accept_quote(quote).order
    client.force_login(order.user)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Deposit and balance" in page and "Pay the deposit of" in page
    deposits.record_bank_transfer(order, amount_fen=DEPOSIT, paid_on=now.date(), reference="B1", by_user=None)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Pay the balance of" in page and "2027-04-28" in page
    assert reverse("orders_order_pay_part", args=[order.reference]) not in page  # no online provider set up


def test_the_command_and_the_task_release_unpaid_deposits(quote, now, time_machine):
    from django.core.management import call_command

    from groups import tasks

    services.accept_quote(quote)
    time_machine.move_to(now + datetime.timedelta(hours=49))
    out = io.StringIO()
    call_command("groups_release_unpaid", stdout=out)
    assert "1 quote(s) reopened." in out.getvalue()
    assert tasks.release_unpaid_quotes.enqueue().return_value == 0
    call_command("groups_remind_balance", stdout=out)
    assert "0 balance reminder(s) sent." in out.getvalue()


def test_staff_record_a_bank_transfer_on_the_order_admin_page(quote, now, english_admin_client):
    order = services.accept_quote(quote).order
    url = reverse("orders_admin_manage", args=[order.pk])
    page = english_admin_client.get(url)
    assert b"Record the bank transfer" in page.content
    bad = english_admin_client.post(
        url, {"action": "transfer", "amount_yuan": "99999999", "paid_on": "2027-03-09", "reference": "X1"}
    )
    assert bad.status_code == 422 and b"is outstanding on this order" in bad.content
    assert not Payment.objects.exists()
    response = english_admin_client.post(
        url, {"action": "transfer", "amount_yuan": "3088.50", "paid_on": "2027-03-09", "reference": "X1"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert Payment.objects.get().amount_fen == DEPOSIT


def test_a_group_booking_is_not_changed_line_by_line(client, quote, now, english):
    from orders.line_cancel import cancel_line

    order = services.accept_quote(quote).order
    deposits.record_bank_transfer(order, amount_fen=DEPOSIT, paid_on=now.date(), reference="B1", by_user=None)
    order.refresh_from_db()
    client.force_login(order.user)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Cancel only this" not in page and "Change dates" not in page
    with pytest.raises(OrderStateError) as refused:
        cancel_line(order, order.lines.get(kind="tour").pk, by_user=order.user)
    assert refused.value.code == "group_booking"
    assert live_claims().count() == 4
