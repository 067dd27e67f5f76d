"""The reports attribute a refund to the line it was for: a stay + tour order whose tour was
cancelled (by the visitor, or called off by the organiser) still shows the stay's full ¥600, and
a refund of the whole order still lowers every live line pro rata (reports/figures.py)."""

import datetime

import pytest

from orders import organiser_cancel
from orders.line_cancel import cancel_line
from orders.models import Refund, ReservationKind
from reports import figures
from tests.factories.accounts import SuperuserFactory

from .line_cancel_fixtures import STAY_FEN, TOUR_FEN, book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.date_sensitive]


def stay_revenue(trip):
    stay = trip.line("stay")
    period = figures.Period(stay.start_date, stay.end_date + datetime.timedelta(days=1))
    (row,) = [row for row in figures.homestay_rows(period) if row.key == stay.page_id_snapshot]
    return row.revenue_fen, row.nights_sold


@pytest.fixture
def stay_and_tour(visitor, trip_things, fake_online, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return book(visitor, trip_things, "stay", "tour")


def test_a_tour_the_visitor_cancelled_leaves_the_stay_at_its_full_price(
    stay_and_tour, fake_online, django_capture_on_commit_callbacks
):
    trip = stay_and_tour
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("tour").pk, by_user=trip.order.user)
    assert fake_online.refunds == [(trip.payment.pk, TOUR_FEN)]

    assert stay_revenue(trip) == (STAY_FEN, 2)


def test_a_tour_the_organiser_called_off_leaves_the_stay_at_its_full_price(
    stay_and_tour, trip_things, fake_online, django_capture_on_commit_callbacks
):
    trip = stay_and_tour
    with django_capture_on_commit_callbacks(execute=True):
        organiser_cancel.call_off(
            ReservationKind.TOUR, [trip_things.slot.pk], reason="暴雨", by_user=SuperuserFactory()
        )
    assert fake_online.refunds == [(trip.payment.pk, TOUR_FEN)]

    assert stay_revenue(trip) == (STAY_FEN, 2)


def test_a_refund_not_for_a_line_still_lowers_the_live_lines_pro_rata(
    stay_and_tour, fake_online, django_capture_on_commit_callbacks
):
    """Tour cancelled (its ¥160 back), then staff give back ¥60 more on the order: the ¥60 comes
    off the stay, the only live line, in full."""
    trip = stay_and_tour
    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(trip.order, trip.line("tour").pk, by_user=trip.order.user)
    Refund.objects.create(payment=trip.payment, amount_fen=6000, reason="goodwill")

    assert stay_revenue(trip) == (STAY_FEN - 6000, 2)
