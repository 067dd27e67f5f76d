"""Staff call off a homestay's nights (flood, epidemic control): every stay with a closed night is
cancelled and refunded in full, its visitor told in the order's language with the reason, the
nights closed to new sales through the homestay's own closures, and the call-off kept for the
report with what went back and what staff must hand back by hand."""

from datetime import timedelta

import pytest
from django.core import mail

from homestays.inventory import RoomTypeInventory
from homestays.models import RateRuleKind, RoomRateRule
from homestays.selectors import available_room_types, room_calendars
from orders import organiser_cancel, reservations
from orders.exceptions import DatesUnavailable, OrderStateError
from orders.models import (
    CallOff,
    CallOffRefund,
    CallOffRefundStatus,
    OrderStatus,
    PaymentStatus,
    Refund,
    ReservationKind,
    ReservationStatus,
)
from orders.reservations import Claim

from .stay_call_off_fixtures import NIGHT_FEN, book_stay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

STAY = ReservationKind.STAY
REASON = "山洪预警，民宿暂停营业"


def call_off(rooms, staff, capture, room_types=None, nights=None):
    room_types = room_types or [rooms.garden, rooms.loft]
    with capture(execute=True):
        return organiser_cancel.call_off(
            STAY,
            [room.pk for room in room_types],
            nights=nights or rooms.nights,
            reason=REASON,
            by_user=staff,
            title=rooms.homestay.title,
        )


def test_every_stay_with_a_closed_night_is_cancelled_refunded_and_told_and_the_nights_close(
    rooms, arrival, staff, fake_online, django_capture_on_commit_callbacks, trip_things
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        # Two nights over the closed one, paid on site: the host hands the money back.
        on_site = book_stay(rooms.garden, arrival, language="en")
        # The loft over the closed night, with a tour, paid by card: the stay goes, the tour stays.
        card = book_stay(
            rooms.loft,
            arrival,
            method="fake_online",
            language="zh-hans",
            extra=[trip_things.lines("tour")[0]],
        )
        # Arriving the morning after the closed night: untouched.
        after = book_stay(rooms.garden, rooms.closed_night + timedelta(days=1), language="en")
    mail.outbox.clear()

    result = call_off(rooms, staff, capture)

    on_site.refresh_from_db()
    card.refresh_from_db()
    after.refresh_from_db()
    assert on_site.status == OrderStatus.REFUNDED
    assert card.status == OrderStatus.PAID  # the tour stands
    assert after.status == OrderStatus.PAID and not after.lines.filter(cancelled_at__isnull=False).exists()
    card_stay = card.lines.get(kind=STAY)
    assert card_stay.cancelled_at is not None and card_stay.refund_fen == 2 * NIGHT_FEN
    assert card_stay.reservations.get().status == ReservationStatus.CANCELLED
    assert card.lines.get(kind="tour").cancelled_at is None
    assert fake_online.refunds == [(card.payments.get().pk, 2 * NIGHT_FEN)]
    assert (result.summary.orders, result.refunded_fen, result.failed_fen) == (2, 4 * NIGHT_FEN, 0)

    # The nights are closed the homestay's own way, for every room type called off.
    closures = RoomRateRule.objects.filter(kind=RateRuleKind.CLOSED).order_by("room_type_id")
    assert [(c.room_type_id, c.start_date, c.end_date) for c in closures] == [
        (rooms.garden.pk, rooms.closed_night, rooms.closed_night),
        (rooms.loft.pk, rooms.closed_night, rooms.closed_night),
    ]
    assert REASON in closures[0].note
    inventory = RoomTypeInventory()
    assert inventory.capacity(rooms.garden, rooms.closed_night) == 0
    assert inventory.capacity(rooms.garden, arrival) == 1  # the night before stays open

    # Search and the room calendars show the night closed, the night before open.
    def free(check_in, check_out):
        return {room.room_type.pk for room in available_room_types(check_in, check_out, 1)}

    assert not free(rooms.closed_night, rooms.closed_night + timedelta(days=1)) & {
        rooms.garden.pk,
        rooms.loft.pk,
    }
    assert rooms.garden.pk in free(arrival - timedelta(days=1), arrival)
    calendars = room_calendars(rooms.homestay, arrival, rooms.closed_night + timedelta(days=1))
    called_off = [c for c in calendars if c.room_type.pk in (rooms.garden.pk, rooms.loft.pk)]
    assert len(called_off) == 2  # (the homestay's third room, the tour fixture's, was not called off)
    for calendar in called_off:
        assert [(day.date, day.closed) for day in calendar.days] == [
            (arrival, False),
            (rooms.closed_night, True),
        ]
    with pytest.raises(DatesUnavailable):
        reservations.reserve(
            [Claim(STAY, rooms.loft.pk, 1, rooms.closed_night, rooms.closed_night + timedelta(1))]
        )

    # The call-off is kept with its lines and what went back how.
    record = result.record
    assert (record.kind, record.first_night, record.end_date, record.reason, record.created_by) == (
        STAY,
        rooms.closed_night,
        rooms.closed_night + timedelta(days=1),
        REASON,
        staff,
    )
    assert set(record.lines.values_list("order_id", flat=True)) == {on_site.pk, card.pk}
    assert sorted(record.refunds.values_list("order_id", "provider", "amount_fen", "status")) == sorted(
        [
            (on_site.pk, "on_site", 2 * NIGHT_FEN, CallOffRefundStatus.TO_HAND_BACK),
            (card.pk, "fake_online", 2 * NIGHT_FEN, CallOffRefundStatus.REFUNDED),
        ]
    )

    # Each visitor is told in the order's language, with the reason.
    notices = [
        m for m in mail.outbox if "Cancelled by the organiser" in m.subject or "主办方已取消" in m.subject
    ]
    by_order = {m.subject.split("：" if "主办方" in m.subject else ": ")[-1]: m for m in notices}
    assert set(by_order) == {on_site.reference, card.reference}
    english, chinese = by_order[on_site.reference], by_order[card.reference]
    assert english.to == [on_site.user.email] and chinese.to == [card.user.email]
    assert "Cancelled by the organiser" in english.subject and "主办方已取消" in chinese.subject
    assert REASON in english.body and REASON in chinese.body
    assert "You get back ¥600.00" in english.body
    assert "You get back" not in chinese.body


def test_calling_off_the_same_nights_again_changes_nothing(
    rooms, arrival, staff, fake_online, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        book_stay(rooms.garden, arrival, method="fake_online")
    call_off(rooms, staff, capture)
    before = (
        list(RoomRateRule.objects.values_list("pk", "start_date", "end_date")),
        list(Refund.objects.values_list("pk", "amount_fen")),
        list(CallOffRefund.objects.values_list("pk", "status")),
        CallOff.objects.count(),
    )
    mail.outbox.clear()

    again = call_off(rooms, staff, capture)

    assert again.summary.orders == 0 and again.refunded_fen == 0
    assert again.record.pk == CallOff.objects.get().pk
    assert (
        list(RoomRateRule.objects.values_list("pk", "start_date", "end_date")),
        list(Refund.objects.values_list("pk", "amount_fen")),
        list(CallOffRefund.objects.values_list("pk", "status")),
        CallOff.objects.count(),
    ) == before
    assert mail.outbox == []
    assert fake_online.refunds == [(fake_online.refunds[0][0], 2 * NIGHT_FEN)]


def test_only_the_room_types_chosen_are_called_off(rooms, arrival, staff, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    garden = book_stay(rooms.garden, arrival)
    loft = book_stay(rooms.loft, arrival)

    result = call_off(rooms, staff, capture, room_types=[rooms.loft])

    garden.refresh_from_db()
    loft.refresh_from_db()
    assert garden.status == OrderStatus.PAID and loft.status == OrderStatus.REFUNDED
    assert list(RoomRateRule.objects.values_list("room_type_id", flat=True)) == [rooms.loft.pk]
    assert result.summary.orders == 1


def test_a_range_of_nights_takes_every_stay_touching_it(
    rooms, arrival, staff, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    closed = (arrival - timedelta(days=1), arrival + timedelta(days=4))  # nights arrival - 1 .. arrival + 3
    before = book_stay(rooms.garden, arrival - timedelta(days=3))  # checks out the morning of arrival - 1
    inside = book_stay(rooms.garden, arrival)
    touching = book_stay(
        rooms.garden, arrival + timedelta(days=3), nights=3
    )  # its first night is the last closed
    after = book_stay(rooms.garden, arrival + timedelta(days=6), nights=1)

    preview = organiser_cancel.preview(STAY, [rooms.garden.pk], closed)
    assert (preview.orders, preview.refund_fen) == (2, 5 * NIGHT_FEN)

    call_off(rooms, staff, capture, room_types=[rooms.garden], nights=closed)

    statuses = [OrderStatus.PAID, OrderStatus.REFUNDED, OrderStatus.REFUNDED, OrderStatus.PAID]
    for order, status in zip((before, inside, touching, after), statuses, strict=True):
        order.refresh_from_db()
        assert order.status == status, order
    rule = RoomRateRule.objects.get()
    assert (rule.start_date, rule.end_date) == (arrival - timedelta(days=1), arrival + timedelta(days=3))


def test_a_refund_the_provider_refuses_is_listed_for_staff_and_handed_back_once(
    rooms, arrival, staff, refusing, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        order = book_stay(rooms.garden, arrival, method="refusing_online")

    result = call_off(rooms, staff, capture)

    assert (result.refunded_fen, result.failed_fen) == (0, 2 * NIGHT_FEN)
    row = CallOffRefund.objects.get()
    assert (row.status, row.amount_fen) == (CallOffRefundStatus.FAILED, 2 * NIGHT_FEN)
    assert row.failure == "该笔付款已无法在线退款。"  # in the town's language
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.needs_attention

    with capture(execute=True):
        organiser_cancel.hand_back(row.pk, by_user=staff)
        organiser_cancel.hand_back(row.pk, by_user=staff)  # a second click: nothing more

    row.refresh_from_db()
    assert (row.status, row.handed_back_by) == (CallOffRefundStatus.HANDED_BACK, staff)
    assert row.handed_back_at is not None
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.manual, refund.created_by, row.refund) == (
        2 * NIGHT_FEN,
        True,
        staff,
        refund,
    )
    payment = order.payments.get()
    assert payment.status == PaymentStatus.REFUNDED
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_money_paid_on_site_is_handed_back_by_hand_and_recorded(
    rooms, arrival, staff, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    book_stay(rooms.garden, arrival)
    call_off(rooms, staff, capture)
    row = CallOffRefund.objects.get()
    assert row.status == CallOffRefundStatus.TO_HAND_BACK and row.refund.manual

    organiser_cancel.hand_back(row.pk, by_user=staff)

    row.refresh_from_db()
    assert (row.status, row.handed_back_by) == (CallOffRefundStatus.HANDED_BACK, staff)
    assert Refund.objects.count() == 1  # booked at the call-off; handing back only records who and when


def test_a_refund_made_through_the_provider_cannot_be_marked_handed_back(
    rooms, arrival, staff, fake_online, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        book_stay(rooms.garden, arrival, method="fake_online")
    call_off(rooms, staff, capture)
    row = CallOffRefund.objects.get()

    with pytest.raises(OrderStateError):
        organiser_cancel.hand_back(row.pk, by_user=staff)
    row.refresh_from_db()
    assert row.status == CallOffRefundStatus.REFUNDED and row.handed_back_at is None


def test_a_reason_is_required_and_the_nights_must_be_in_order(rooms, staff, arrival):
    with pytest.raises(OrderStateError):
        organiser_cancel.call_off(STAY, [rooms.garden.pk], nights=rooms.nights, reason="  ", by_user=staff)
    with pytest.raises(OrderStateError):
        organiser_cancel.call_off(
            STAY, [rooms.garden.pk], nights=(arrival, arrival), reason="x", by_user=staff
        )
    assert not RoomRateRule.objects.exists() and not CallOff.objects.exists()
