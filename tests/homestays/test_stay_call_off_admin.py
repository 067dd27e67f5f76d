"""The admin page that closes a homestay's nights and refunds what was sold on them, and the
call-off report: staff pick room types and nights, see each stay affected with its money, confirm
once (a double submit changes nothing more), then read what was refunded and what they pay back by
hand, export it, and mark it paid back. Hosts may not: it refunds."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.users.models import UserProfile

from accounts.roles import HOSTS
from homestays.models import RoomRateRule
from homestays.services import grant_host_access
from orders import organiser_cancel
from orders.models import CallOff, CallOffRefund, CallOffRefundStatus, OrderStatus, Refund
from tests.orders.line_cancel_fixtures import TOUR_FEN, book

from .stay_call_off_fixtures import NIGHT_FEN, book_stay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]

REASON = "疫情防控，暂停接待"


def english_admin(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def url(rooms, **params):
    base = reverse("homestays_call_off", args=[rooms.homestay.pk])
    if not params:
        return base
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}?{query}"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(english_admin(staff))
    return client


def picked(rooms, **extra):
    return url(rooms, first_night=rooms.closed_night.isoformat(), **extra)


def test_staff_pick_the_nights_see_each_stay_then_confirm_once(
    staff_client, rooms, arrival, refusing, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        card = book_stay(rooms.garden, arrival, method="fake_online")
        refused = book_stay(rooms.loft, arrival, method="refusing_online")
        untouched = book_stay(rooms.garden, rooms.closed_night + timedelta(days=1), nights=1)
    edit = staff_client.get(reverse("wagtailadmin_pages:edit", args=[rooms.homestay.pk]))
    assert url(rooms) in edit.text  # in the page's header menu

    empty = staff_client.get(url(rooms))
    assert empty.status_code == 200 and "summary" not in empty.context
    assert "Show what this cancels" in empty.text

    page = staff_client.get(picked(rooms))
    assert page.status_code == 200
    summary = page.context["summary"]
    assert (summary.orders, summary.refund_fen) == (2, 4 * NIGHT_FEN)
    shown = {line.order.reference: price for line, price in page.context["lines"]}
    assert shown == {card.reference: "¥600.00", refused.reference: "¥600.00"}
    assert untouched.reference not in page.text
    assert "Cancel and refund 2 orders" in page.text

    with capture(execute=True):
        response = staff_client.post(picked(rooms), {"reason": REASON, "confirm": "on"})
    record = CallOff.objects.get()
    assert (response.status_code, response.url) == (302, reverse("reports_call_off", args=[record.pk]))
    card.refresh_from_db()
    refused.refresh_from_db()
    untouched.refresh_from_db()
    assert (card.status, refused.status, untouched.status) == (
        OrderStatus.REFUNDED,
        OrderStatus.CANCELLED,
        OrderStatus.PAID,
    )
    assert RoomRateRule.objects.count() == 2

    # The same form sent again: nothing more is closed, cancelled or refunded.
    before = (RoomRateRule.objects.count(), Refund.objects.count(), CallOffRefund.objects.count())
    with capture(execute=True):
        again = staff_client.post(picked(rooms), {"reason": REASON, "confirm": "on"})
    assert again.status_code == 302
    assert (RoomRateRule.objects.count(), Refund.objects.count(), CallOffRefund.objects.count()) == before
    assert CallOff.objects.count() == 1
    closed = staff_client.get(picked(rooms))
    assert "is cancelled: no one can book it any more" in closed.text


def test_bad_picks_and_missing_confirmation_change_nothing(staff_client, rooms, arrival):
    order = book_stay(rooms.garden, arrival)
    backwards = staff_client.get(
        url(rooms, first_night=rooms.closed_night.isoformat(), last_night=arrival.isoformat())
    )
    assert backwards.status_code == 200 and "summary" not in backwards.context
    assert "The last night must be on or after the first night." in backwards.text
    past = staff_client.get(url(rooms, first_night=(arrival - timedelta(days=60)).isoformat()))
    assert "Nights in the past cannot be closed." in past.text
    garbage = staff_client.get(url(rooms, first_night="soon", room_types="x"))
    assert garbage.status_code == 200

    no_pick = staff_client.post(url(rooms), {"reason": REASON, "confirm": "on"})
    unconfirmed = staff_client.post(picked(rooms), {"reason": REASON})
    assert (no_pick.status_code, unconfirmed.status_code) == (422, 422)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not RoomRateRule.objects.exists() and not CallOff.objects.exists()


def test_a_host_may_not_close_and_refund_even_their_own_homestay(client, rooms, arrival, django_user_model):
    host = english_admin(django_user_model.objects.create_user("host@example.com", password="pw-not-used"))
    host.groups.add(Group.objects.get_or_create(name=HOSTS)[0])
    rooms.homestay.host = host
    rooms.homestay.save_revision().publish()
    grant_host_access(rooms.homestay)
    order = book_stay(rooms.garden, arrival)
    client.force_login(host)

    assert client.get(picked(rooms)).status_code in (302, 403)
    response = client.post(picked(rooms), {"reason": REASON, "confirm": "on"})

    assert response.status_code in (302, 403)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not RoomRateRule.objects.exists()
    assert client.get(reverse("reports_call_offs")).status_code in (302, 403)


def test_the_report_lists_what_to_pay_back_by_hand_exports_it_and_records_who_paid(
    staff_client, staff, rooms, arrival, refusing, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        card = book_stay(rooms.garden, arrival, method="fake_online")
        refused = book_stay(rooms.loft, arrival, method="refusing_online")
    with capture(execute=True):
        staff_client.post(picked(rooms), {"reason": REASON, "confirm": "on"})
    record = CallOff.objects.get()

    index = staff_client.get(reverse("reports_call_offs"))
    assert index.status_code == 200
    assert record.title in index.text and "¥600.00" in index.text

    report = staff_client.get(reverse("reports_call_off", args=[record.pk]))
    assert report.status_code == 200
    assert REASON in report.text
    assert card.reference in report.text and refused.reference in report.text

    by_hand = staff_client.get(reverse("reports_call_off", args=[record.pk]) + "?by_hand=1")
    assert refused.reference in by_hand.text and card.reference not in by_hand.text
    assert refused.contact_phone in by_hand.text and refused.user.email in by_hand.text

    export = staff_client.get(reverse("reports_call_off", args=[record.pk]) + "?by_hand=1&export=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Order", "Visitor", "Phone", "E-mail", "Paid with", "Amount (yuan)"]
    assert [row[:6] for row in rows[1:]] == [
        [
            refused.reference,
            refused.contact_name,
            refused.contact_phone,
            refused.user.email,
            "Refusing card",
            "600.00",
        ]
    ]

    row = CallOffRefund.objects.get(order=refused)
    hand_back = reverse("reports_call_off_hand_back", args=[record.pk, row.pk])
    assert staff_client.get(hand_back).status_code == 405
    with capture(execute=True):
        first = staff_client.post(hand_back, {"by_hand": "1"})
        second = staff_client.post(hand_back, {"by_hand": "1"})
    assert first.status_code == second.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.handed_back_by) == (CallOffRefundStatus.HANDED_BACK, staff)
    assert Refund.objects.filter(payment__order=refused, manual=True).count() == 1

    card_row = CallOffRefund.objects.get(order=card)
    refused_mark = staff_client.post(reverse("reports_call_off_hand_back", args=[record.pk, card_row.pk]))
    assert refused_mark.status_code == 302
    card_row.refresh_from_db()
    assert card_row.status == CallOffRefundStatus.REFUNDED
    other = reverse("reports_call_off_hand_back", args=[record.pk + 1, row.pk])
    assert staff_client.post(other).status_code == 404


def test_a_tour_slot_called_off_is_in_the_report_with_money_to_hand_back(
    staff_client, visitor, trip_things, django_capture_on_commit_callbacks
):
    """Every call-off is kept, not only a homestay's: a slot paid at the desk leaves cash to hand
    back, listed with the visitor's contact."""
    with django_capture_on_commit_callbacks(execute=True):
        trip = book(visitor, trip_things, "tour", method="on_site")
    slot_url = reverse("wagtailsnippets_attractions_tourslot:call_off", args=[trip_things.slot.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(slot_url, {"reason": "暴雨预警", "confirm": "on"}).status_code == 302

    record = CallOff.objects.get()
    assert record.kind == "tour" and record.title.startswith(trip_things.slot.experience.title)
    row = record.refunds.get()
    assert (row.order, row.amount_fen, row.status) == (trip.order, TOUR_FEN, CallOffRefundStatus.TO_HAND_BACK)
    by_hand = staff_client.get(reverse("reports_call_off", args=[record.pk]) + "?by_hand=1")
    assert trip.order.reference in by_hand.text and "Paid on site: hand it back" in by_hand.text
    assert "Mark paid back by hand" in by_hand.text


def test_the_report_pages_read_the_same_number_of_queries_for_one_order_or_many(
    staff_client, rooms, arrival, django_capture_on_commit_callbacks
):
    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(path).status_code == 200
        return len(captured)

    def call_off_with(orders):
        for n in range(orders):
            book_stay(rooms.garden if n % 2 else rooms.loft, arrival + timedelta(days=3 * (n // 2)))
        last = arrival + timedelta(days=3 * ((orders - 1) // 2))
        with django_capture_on_commit_callbacks(execute=True):
            organiser_cancel.call_off(
                "stay",
                [rooms.garden.pk, rooms.loft.pk],
                nights=(arrival, last + timedelta(days=1)),
                reason=REASON,
                by_user=None,
                title=f"{orders}",
            )
        return CallOff.objects.get(title=f"{orders}")

    one = call_off_with(1)
    one_detail = queries(reverse("reports_call_off", args=[one.pk]))
    one_index = queries(reverse("reports_call_offs"))
    RoomRateRule.objects.all().delete()
    many = call_off_with(6)
    assert many.refunds.count() == 6
    assert queries(reverse("reports_call_off", args=[many.pk])) == one_detail
    assert queries(reverse("reports_call_offs")) == one_index
