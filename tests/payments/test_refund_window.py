"""A provider's refund window (``PaymentProvider.refund_window``): open until exactly the window
after payment, closed from then on; no window, or no payment time, never closes."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from orders.payments.base import PaymentProvider

PAID = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MINUTE = timedelta(minutes=1)


class Wallet(PaymentProvider):
    name = "wallet"
    refund_window = timedelta(days=90)


@pytest.mark.parametrize(
    ("after", "open_"),
    [
        (timedelta(0), True),
        (timedelta(days=90) - MINUTE, True),
        (timedelta(days=90), False),
        (timedelta(days=400), False),
    ],
)
def test_the_window_closes_exactly_its_length_after_payment(after, open_):
    payment = SimpleNamespace(paid_at=PAID)
    assert Wallet().within_refund_window(payment, now=PAID + after) is open_


def test_no_window_or_no_payment_time_never_closes():
    assert PaymentProvider().within_refund_window(
        SimpleNamespace(paid_at=PAID), now=PAID + timedelta(days=999)
    )
    assert Wallet().within_refund_window(SimpleNamespace(paid_at=None), now=PAID + timedelta(days=999))
