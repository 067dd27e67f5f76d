"""The nightly price policy, table-driven over unsaved rows (no database needed)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from homestays import pricing
from homestays.models import RateRuleKind, RoomRateRule, RoomType
from orders.exceptions import DatesUnavailable, InvalidClaim

MON = date(2030, 1, 7)  # a Monday
FRI, SAT, SUN = MON + timedelta(days=4), MON + timedelta(days=5), MON + timedelta(days=6)
T0 = datetime(2029, 12, 1, tzinfo=UTC)


def room(weekend=15000, min_nights=1):
    return RoomType(
        pk=1, name="双床房", base_price_fen=10000, weekend_price_fen=weekend, min_nights=min_nights
    )


def rule(kind, start, end=None, *, price=None, nights=None, created=0, pk=None):
    return RoomRateRule(
        pk=pk or created + 1,
        room_type_id=1,
        kind=kind,
        start_date=start,
        end_date=end or start,
        price_fen=price,
        min_nights=nights,
        created_at=T0 + timedelta(minutes=created),
    )


@pytest.mark.parametrize(
    ("night", "weekend", "rules", "expected"),
    [
        pytest.param(MON, 15000, [], 10000, id="weekday-base"),
        pytest.param(FRI, 15000, [], 15000, id="friday-weekend"),
        pytest.param(SAT, 15000, [], 15000, id="saturday-weekend"),
        pytest.param(SUN, 15000, [], 10000, id="sunday-base"),
        pytest.param(SAT, None, [], 10000, id="no-weekend-price-falls-back-to-base"),
        pytest.param(
            SAT, 15000, [rule(RateRuleKind.PRICE, FRI, SUN, price=20000)], 20000, id="override-beats-weekend"
        ),
        pytest.param(
            MON,
            15000,
            [
                rule(RateRuleKind.PRICE, MON, price=20000, created=1),
                rule(RateRuleKind.PRICE, MON, price=18000, created=2),
            ],
            18000,
            id="latest-created-override-wins",
        ),
        pytest.param(
            MON,
            15000,
            [
                rule(RateRuleKind.PRICE, MON, price=18000, created=5),
                rule(RateRuleKind.PRICE, MON, price=20000, created=1),
            ],
            18000,
            id="latest-by-creation-not-by-list-order",
        ),
        pytest.param(
            MON, 15000, [rule(RateRuleKind.PRICE, SUN, price=20000)], 10000, id="override-elsewhere-ignored"
        ),
        pytest.param(MON, 15000, [rule(RateRuleKind.CLOSED, MON)], None, id="closed-has-no-price"),
        pytest.param(
            MON,
            15000,
            [rule(RateRuleKind.PRICE, MON, price=1, created=9), rule(RateRuleKind.CLOSED, MON, created=1)],
            None,
            id="closed-beats-override",
        ),
        pytest.param(
            MON,
            15000,
            [rule(RateRuleKind.MIN_NIGHTS, MON, nights=3)],
            10000,
            id="min-nights-rule-keeps-price",
        ),
    ],
)
def test_night_price(night, weekend, rules, expected):
    assert pricing.night_price(room(weekend), night, rules) == expected


def test_rules_of_other_room_types_are_ignored():
    other = rule(RateRuleKind.CLOSED, MON)
    other.room_type_id = 2
    assert pricing.night_price(room(), MON, [other]) == 10000


@pytest.mark.parametrize(
    ("room_min", "rules", "check_in", "check_out", "expected"),
    [
        pytest.param(1, [], MON, MON + timedelta(days=1), 1, id="room-default"),
        pytest.param(2, [], MON, MON + timedelta(days=1), 2, id="room-minimum"),
        pytest.param(
            1, [rule(RateRuleKind.MIN_NIGHTS, FRI, SAT, nights=3)], MON, SAT, 3, id="rule-touching-a-night"
        ),
        pytest.param(
            1,
            [rule(RateRuleKind.MIN_NIGHTS, SAT, SUN, nights=3)],
            MON,
            SAT,
            1,
            id="rule-on-check-out-day-ignored",
        ),
        pytest.param(
            4, [rule(RateRuleKind.MIN_NIGHTS, MON, nights=2)], MON, SAT, 4, id="larger-of-room-and-rule"
        ),
    ],
)
def test_min_nights(room_min, rules, check_in, check_out, expected):
    assert pricing.min_nights_for(room(min_nights=room_min), check_in, check_out, rules) == expected


def test_quote_lists_each_night_and_totals_them():
    quote = pricing.quote(room(), thursday := MON + timedelta(days=3), thursday + timedelta(days=3), [])
    assert [(n.night.weekday(), n.price_fen) for n in quote.nights] == [(3, 10000), (4, 15000), (5, 15000)]
    assert quote.total_fen == 40000


def test_quote_refuses_a_closed_night():
    with pytest.raises(DatesUnavailable):
        pricing.quote(
            room(), MON, MON + timedelta(days=3), [rule(RateRuleKind.CLOSED, MON + timedelta(days=1))]
        )


def test_quote_refuses_a_stay_shorter_than_the_minimum():
    with pytest.raises(DatesUnavailable):
        pricing.quote(room(min_nights=2), MON, MON + timedelta(days=1), [])


def test_quote_refuses_more_than_thirty_nights():
    with pytest.raises(InvalidClaim):
        pricing.quote(room(), MON, MON + timedelta(days=31), [])


def test_thirty_nights_is_allowed():
    assert pricing.quote(room(), MON, MON + timedelta(days=30), []).night_count == 30


def test_quote_refuses_check_out_before_check_in():
    with pytest.raises(InvalidClaim):
        pricing.quote(room(), MON, MON, [])


@pytest.mark.parametrize(
    ("fen", "shown"), [(12800, "¥128"), (12850, "¥128.50"), (0, "¥0"), (1234500, "¥12,345")]
)
def test_fen_are_shown_as_yuan(fen, shown):
    from homestays.templatetags.homestay_tags import yuan

    assert yuan(fen) == shown
