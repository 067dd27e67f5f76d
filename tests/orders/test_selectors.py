from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import ReservationStatus
from orders.selectors import claimed_units
from tests.factories.orders import ReservationFactory

pytestmark = pytest.mark.django_db


def stay(obj_id, start, end, quantity=1, **kwargs):
    return ReservationFactory(
        kind="stay", object_id=obj_id, start_date=start, end_date=end, quantity=quantity, **kwargs
    )


def test_claimed_units_counts_each_night_in_one_query(nights, day, django_assert_num_queries):
    stay(1, day(0), day(3), quantity=2)
    stay(1, day(2), day(6), confirmed=True)
    stay(2, day(1), day(2))
    with django_assert_num_queries(1):
        claimed = claimed_units("stay", [1, 2], day(1), day(4))
    assert dict(claimed) == {
        (1, day(1)): 2,
        (1, day(2)): 3,
        (1, day(3)): 1,
        (2, day(1)): 1,
    }


def test_claimed_units_reads_zero_for_a_free_night(nights, day):
    assert claimed_units("stay", [1], day(0), day(2))[(1, day(0))] == 0


def test_claimed_units_ignores_expired_and_cancelled_claims(nights, day):
    now = timezone.now()
    stay(1, day(0), day(1), hold_expires_at=now - timedelta(seconds=1))
    stay(1, day(0), day(1), status=ReservationStatus.CANCELLED)
    stay(1, day(0), day(1), status=ReservationStatus.EXPIRED)
    stay(1, day(0), day(1), quantity=4)
    assert claimed_units("stay", [1], day(0), day(1), now=now)[(1, day(0))] == 4


def test_claimed_units_sums_per_object_for_kinds_not_per_night(units, django_assert_num_queries):
    ReservationFactory(kind="tour", object_id=7, quantity=2)
    ReservationFactory(kind="tour", object_id=7, quantity=3, confirmed=True)
    ReservationFactory(kind="tour", object_id=8, quantity=1)
    ReservationFactory(kind="ticket", object_id=7, quantity=9)
    with django_assert_num_queries(1):
        claimed = claimed_units("tour", [7, 8, 9])
    assert dict(claimed) == {7: 5, 8: 1}


def test_claimed_units_needs_dates_for_per_night_kinds(nights):
    with pytest.raises(ValueError):
        claimed_units("stay", [1])
