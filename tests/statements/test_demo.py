"""The demo step: rates on the kinds and payouts to the demo farmers of what they were owed."""

import datetime
from types import SimpleNamespace

import pytest

from statements import services
from statements.demo import load_payouts
from statements.models import CommissionRate, Payout
from tests.factories.products import ProducerFactory

from .fixtures import at, sale

pytestmark = [pytest.mark.django_db]


def test_demo_farmers_are_paid_most_of_what_they_were_owed_and_it_runs_once():
    farmer = ProducerFactory().user
    for month in (9, 10, 11):
        sale(farmer, [50000], when=at(2026, month, 2))
    ctx = SimpleNamespace(today=datetime.date(2026, 12, 6), verbosity=0, write=print)

    load_payouts(ctx)
    load_payouts(ctx)

    assert CommissionRate.objects.filter(seller=None).count() == 3
    paid = list(Payout.objects.filter(seller=farmer).order_by("paid_on"))
    # Nothing was owed at the end of August: no payout on 5 September. Then 90 % of what was
    # owed at each month's end, in whole yuan: 450.00 of 500.00, 495.00 of 550.00.
    assert [(p.paid_on, p.amount_fen) for p in paid] == [
        (datetime.date(2026, 10, 5), 45000),
        (datetime.date(2026, 11, 5), 49500),
    ]
    november = services.statement(farmer, services.month_period(datetime.date(2026, 11, 1)))
    assert november.totals.balance_fen == 150000 - 45000 - 49500
