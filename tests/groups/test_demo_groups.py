"""The demo's booked groups (groups.demo.load_booked_groups): accepted quotes of the past year that
give the study-tour report something to show, and never a future claim without its holds."""

import datetime

import pytest
from django.utils import timezone

from groups.demo import DEMO_ACCEPTED_SCHOOL
from groups.models import QuoteLine, QuoteStatus
from orders.models import Reservation
from reports import study_tours
from reports.figures import Period

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_the_demo_groups_fill_the_study_tour_report(demo_town):
    today = timezone.localdate()
    year = Period(today - datetime.timedelta(days=366), today + datetime.timedelta(days=1))
    programmes = study_tours.study_tour_rows.uncached(year, group="programme")
    named = [row for row in programmes if not row.is_total and row.key]
    assert len(named) == 3 and all(row.groups and row.pupils for row in named)
    villages = study_tours.study_tour_rows.uncached(year, group="village")
    assert len([row for row in villages if not row.is_total and row.key]) >= 3
    assert villages[-1].tours_fen > 0 and villages[-1].rooms_fen > 0
    # Accepted quotes hold their rooms and seats through the reservation core: the booked groups,
    # made without it, are all in the past; the one future acceptance went through accept_quote
    # and holds its order's reservations.
    accepted = QuoteLine.objects.filter(quote__status=QuoteStatus.ACCEPTED)
    assert accepted.exists()
    future = accepted.filter(day__gte=today)
    assert {line.quote.enquiry.organisation for line in future} == {DEMO_ACCEPTED_SCHOOL}
    held = Reservation.objects.filter(
        order_line__order__group_quotes__enquiry__organisation=DEMO_ACCEPTED_SCHOOL
    )
    assert held.exists()
