"""Who may review which order line, and when (reviews.rules), as a table."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reviews import rules
from reviews.models import Review
from tests.factories.accounts import VerifiedUserFactory

from .fixtures import at, line_of, product_line, stay_line, tour_line

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 5, 10)  # "today" in every case
D = datetime.timedelta


def cancelled(line):
    line.cancelled_at = timezone.now()
    line.save(update_fields=["cancelled_at"])
    return line


CASES = [
    # (what, makes the line for the guest, expected code: "" when allowed)
    ("stay: check-out yesterday", lambda u: stay_line(u, DAY - D(3), nights=2), ""),
    ("stay: check-out today, not passed yet", lambda u: stay_line(u, DAY - D(2), nights=2), rules.TOO_EARLY),
    ("stay: still to come", lambda u: stay_line(u, DAY + D(5)), rules.TOO_EARLY),
    ("stay: 60 days after the check-out day", lambda u: stay_line(u, DAY - D(63), nights=2), ""),
    ("stay: 61 days after", lambda u: stay_line(u, DAY - D(64), nights=2), rules.TOO_LATE),
    ("stay: order only confirmed (pay on site)", lambda u: stay_line(u, DAY - D(5), status="confirmed"), ""),
    ("stay: order completed", lambda u: stay_line(u, DAY - D(5), status="completed"), ""),
    ("stay: order never paid", lambda u: stay_line(u, DAY - D(5), status="pending"), rules.NOT_SOLD),
    ("stay: order cancelled", lambda u: stay_line(u, DAY - D(5), status="cancelled"), rules.CANCELLED),
    ("stay: order refunded", lambda u: stay_line(u, DAY - D(5), status="refunded"), rules.CANCELLED),
    ("stay: line cancelled", lambda u: cancelled(stay_line(u, DAY - D(5))), rules.CANCELLED),
    ("tour: checked in at the gate", lambda u: tour_line(u, attended_on=DAY - D(1)), ""),
    ("tour: checked in today", lambda u: tour_line(u, attended_on=DAY), ""),
    ("tour: booked, never checked in", lambda u: tour_line(u), rules.TOO_EARLY),
    ("tour: checked in 61 days ago", lambda u: tour_line(u, attended_on=DAY - D(61)), rules.TOO_LATE),
    (
        "tour: attended but cancelled after",
        lambda u: cancelled(tour_line(u, attended_on=DAY - D(1))),
        rules.CANCELLED,
    ),
    ("produce: handed over", lambda u: product_line(u, fulfilment="handed_over", on=DAY - D(2)), ""),
    ("produce: only packed", lambda u: product_line(u, fulfilment="packed", on=DAY - D(2)), rules.TOO_EARLY),
    ("produce: nothing done yet", lambda u: product_line(u), rules.TOO_EARLY),
    (
        "produce: shipped 2 days ago, on its way",
        lambda u: product_line(u, fulfilment="shipped", on=DAY - D(2)),
        rules.TOO_EARLY,
    ),
    (
        "produce: shipped 3 days ago, arrived",
        lambda u: product_line(u, fulfilment="shipped", on=DAY - D(3)),
        "",
    ),
    (
        "produce: refunded order",
        lambda u: product_line(u, fulfilment="handed_over", on=DAY - D(2), status="refunded"),
        rules.CANCELLED,
    ),
    ("festival ticket", lambda u: line_of(u, "ticket"), rules.NOT_REVIEWED_KIND),
    ("timed entry", lambda u: line_of(u, "entry"), rules.NOT_REVIEWED_KIND),
]


@pytest.mark.parametrize(("what", "make", "expected"), CASES, ids=[case[0] for case in CASES])
def test_who_may_review_what_and_when(what, make, expected):
    guest = VerifiedUserFactory()
    with time_machine.travel(at(DAY - D(80)), tick=False):
        line = make(guest)
    with time_machine.travel(at(DAY, 23), tick=False):
        result = rules.eligibility(line, guest)
    assert result.code == expected, what
    assert result.allowed is (expected == "")


def test_someone_else_may_not_review_the_guests_line():
    guest, other = VerifiedUserFactory(), VerifiedUserFactory()
    line = stay_line(guest, timezone.localdate() - D(5))
    assert rules.eligibility(line, other).code == rules.NOT_YOURS
    assert rules.eligibility(line, AnonymousUser()).code == rules.NOT_YOURS
    assert rules.eligibility(line, None).code == rules.NOT_YOURS
    assert rules.eligibility(line, guest).allowed


def test_one_review_per_line():
    guest = VerifiedUserFactory()
    line = stay_line(guest, timezone.localdate() - D(5))
    Review.objects.create(order_line=line, author=guest, rating=4)
    assert rules.eligibility(line, guest).code == rules.ALREADY
    with pytest.raises(rules.AlreadyReviewed) as refused:
        rules.check_may_review(line, guest)
    assert refused.value.status == 409


def test_the_window_closes_at_midnight_in_shanghai():
    guest = VerifiedUserFactory()
    line = stay_line(guest, datetime.date(2027, 3, 1), nights=1)  # out on 2 March, may review from 3 March
    last = datetime.date(2027, 3, 3) + D(rules.WINDOW_DAYS)
    with time_machine.travel(at(last, 23) + D(minutes=59), tick=False):
        assert rules.eligibility(line, guest).allowed
        assert rules.eligibility(line, guest).until == last
    # 00:00 in Shanghai is still the day before in UTC: the local day decides.
    with time_machine.travel(at(last + D(1), 0) + D(minutes=1), tick=False):
        assert rules.eligibility(line, guest).code == rules.TOO_LATE


def test_a_refusal_carries_a_message_in_the_visitors_words():
    guest = VerifiedUserFactory()
    line = tour_line(guest)
    with pytest.raises(rules.ReviewRefused) as refused:
        rules.check_may_review(line, guest)
    assert refused.value.status == 403
    assert "60" not in str(refused.value.message)
    assert str(rules.Eligibility(rules.TOO_LATE).message).count("60") == 1
