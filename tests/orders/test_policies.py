"""Cancellation policies at their boundaries: exactly 24 h, 5 days, 7 days before check-in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orders.policies import refund_for_lines, refund_percent

CHECK_IN = datetime(2030, 5, 10, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SECOND = timedelta(seconds=1)
H24, D5, D7 = timedelta(hours=24), timedelta(days=5), timedelta(days=7)


@pytest.mark.parametrize(
    ("policy", "before", "percent"),
    [
        ("flexible", H24 + SECOND, 100),
        ("flexible", H24, 100),
        ("flexible", H24 - SECOND, 0),
        ("flexible", timedelta(days=30), 100),
        ("moderate", D5 + SECOND, 100),
        ("moderate", D5, 100),
        ("moderate", D5 - SECOND, 50),
        ("moderate", SECOND, 50),
        ("strict", D7 + SECOND, 50),
        ("strict", D7, 50),
        ("strict", D7 - SECOND, 0),
        ("strict", timedelta(days=60), 50),
        ("unknown", D5, 100),  # falls back to moderate
    ],
)
def test_refund_percent(policy, before, percent):
    decision = refund_percent(policy, CHECK_IN, CHECK_IN - before)
    assert decision.cancellable
    assert decision.percent == percent


@pytest.mark.parametrize("policy", ["flexible", "moderate", "strict"])
@pytest.mark.parametrize("after", [timedelta(0), SECOND, timedelta(days=1)])
def test_cannot_cancel_once_started(policy, after):
    decision = refund_percent(policy, CHECK_IN, CHECK_IN + after)
    assert not decision.cancellable and decision.percent == 0


def test_check_in_time_is_shanghai_time():
    # 14:00 in Shanghai is 06:00 UTC: 24 h before is 06:00 UTC the day before.
    utc_now = datetime(2030, 5, 9, 6, 0, tzinfo=ZoneInfo("UTC"))
    assert refund_percent("flexible", CHECK_IN, utc_now).percent == 100
    assert refund_percent("flexible", CHECK_IN, utc_now + SECOND).percent == 0


class Line:
    def __init__(self, policy, total_fen, starts_at=CHECK_IN):
        self.cancellation_policy, self.total_fen, self.starts_at = policy, total_fen, starts_at


def test_refund_for_lines_rounds_down_per_line():
    now = CHECK_IN - timedelta(days=3)
    fen, ok, _reason = refund_for_lines([Line("moderate", 30001), Line("flexible", 10000)], now)
    assert ok and fen == 15000 + 10000
