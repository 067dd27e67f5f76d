"""Statements: what each seller earned, was paid and is owed, reconciled against an independent
sum; the period rules (sale date, refund date, opening balance)."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from orders.models import Refund
from statements import services
from tests.factories.accounts import UserFactory

from .fixtures import at, cancel_line, payout, refund, sale

pytestmark = [pytest.mark.django_db]

NOVEMBER = services.Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def commission(amount, bp):
    """Half up to the fen, computed apart from the service (Decimal, not integer tricks)."""
    return int((Decimal(amount) * bp / 10000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_a_generated_month_reconciles_over_every_seller():
    rng = random.Random(19)
    sellers = {UserFactory(): bp for bp in (0, 300, 500, 1250)}
    expected = {seller.pk: 0 for seller in sellers}
    gross = refunds = commissions = paid = 0
    for seller, bp in sellers.items():
        for _n in range(12):
            amounts = [rng.randrange(100, 50000) for _i in range(rng.choice([1, 1, 2, 3]))]
            day = rng.randrange(1, 28)
            _order, lines, payment = sale(
                seller, amounts, when=at(2026, 11, day, rng.randrange(0, 24)), bp=bp
            )
            kept = {line.pk: line.total_fen for line in lines}
            what = rng.random()
            later = at(2026, 11, day + 1, rng.randrange(0, 24))
            if what < 0.15:  # the whole order given back
                refund(payment, sum(amounts), when=later)
                kept = dict.fromkeys(kept, 0)
            elif what < 0.3 and len(lines) == 1:  # a part of a one-line order
                part = rng.randrange(1, amounts[0])
                refund(payment, part, when=later)
                kept[lines[0].pk] -= part
            elif what < 0.45:  # one line cancelled on its own, some of it given back
                part = rng.randrange(0, amounts[0] + 1)
                cancel_line(lines[0], payment, part, when=later)
                kept[lines[0].pk] -= part
            gross += sum(amounts)
            refunds += sum(amounts) - sum(kept.values())
            fee = sum(commission(fen, bp) for fen in kept.values())
            commissions += fee
            expected[seller.pk] += sum(kept.values()) - fee
        for _n in range(rng.randrange(1, 4)):
            amount = rng.randrange(100, 20000)
            payout(seller, amount, datetime.date(2026, 11, rng.randrange(1, 31)))
            paid += amount
            expected[seller.pk] -= amount

    found = services.statements([seller.pk for seller in sellers], NOVEMBER)

    assert sum(s.totals.balance_fen for s in found.values()) == gross - refunds - commissions - paid
    assert {pk: s.totals.balance_fen for pk, s in found.items()} == expected
    assert sum(s.totals.refunds_fen for s in found.values()) == sum(
        Refund.objects.values_list("amount_fen", flat=True)
    )
    for statement in found.values():
        totals = statement.totals
        assert totals.opening_balance_fen == 0
        assert totals.gross_fen == sum(line.gross_fen for line in statement.lines)
        assert totals.commission_fen == sum(line.commission_fen for line in statement.lines)
        assert totals.payouts_fen == sum(p.amount_fen for p in statement.payouts)


def test_a_refund_counts_on_its_day_and_the_past_is_carried_over():
    seller = UserFactory()
    _order, [line], payment = sale(seller, [10000], when=at(2026, 10, 30), bp=1000)
    refund(payment, 4000, when=at(2026, 11, 2))
    payout(seller, 5000, datetime.date(2026, 10, 31))

    october = services.statement(seller, services.month_period(datetime.date(2026, 10, 1)))
    november = services.statement(seller, NOVEMBER)

    # October: sold 100.00, 10 % kept by the platform, 50.00 paid out -> 40.00 owed.
    assert october.totals.as_dict() == {
        "opening_balance_fen": 0,
        "gross_fen": 10000,
        "refunds_fen": 0,
        "commission_fen": 1000,
        "net_fen": 9000,
        "payouts_fen": 5000,
        "balance_fen": 4000,
    }
    # November: the refund on its day, with the commission on it given back.
    assert november.totals.opening_balance_fen == 4000
    assert [(row.line_id, row.gross_fen, row.refunds_fen, row.commission_fen) for row in november.lines] == [
        (line.pk, 0, 4000, -400)
    ]
    assert november.totals.balance_fen == 4000 - 4000 + 400


def test_a_sale_counts_on_the_town_day_it_was_placed():
    seller = UserFactory()
    # 23:30 on Oct 31 in Beijing is Oct 31 in the town (15:30 UTC): October's, not November's.
    sale(seller, [1000], when=at(2026, 10, 31, 23, 30))
    sale(seller, [2000], when=at(2026, 11, 1, 0, 10))

    november = services.statement(seller, NOVEMBER)

    assert [row.gross_fen for row in november.lines] == [2000]
    assert november.totals.opening_balance_fen == 1000


def test_unpaid_and_lapsed_orders_are_no_sale():
    seller = UserFactory()
    _pending, _lines, waiting = sale(seller, [1000], when=at(2026, 11, 3), status="pending")
    waiting.status = "pending"
    waiting.save()
    _order, _lines, payment = sale(seller, [3000], when=at(2026, 11, 4), status="cancelled")
    payment.status = "failed"
    payment.save()
    _refunded, _lines, money = sale(seller, [5000], when=at(2026, 11, 5), status="refunded")
    refund(money, 5000, when=at(2026, 11, 6))

    totals = services.statement(seller, NOVEMBER).totals

    assert (totals.gross_fen, totals.refunds_fen, totals.balance_fen) == (5000, 5000, 0)


def test_a_refund_of_an_order_of_two_sellers_is_shared_by_their_lines():
    farmer, host = UserFactory(), UserFactory()
    order, [mine], payment = sale(farmer, [3000], when=at(2026, 11, 3))
    from orders.models import OrderLine, Payment

    theirs = OrderLine.objects.create(
        order=order,
        kind="stay",
        object_id=1,
        title="民宿",
        quantity=1,
        unit_price_fen=9000,
        total_fen=9000,
        seller=host,
    )
    order.total_fen = 12000
    order.save()
    Payment.objects.filter(pk=payment.pk).update(amount_fen=12000)
    payment.refresh_from_db()
    refund(payment, 6000, when=at(2026, 11, 4))

    found = services.statements([farmer.pk, host.pk], NOVEMBER)

    assert found[farmer.pk].lines[0].refunds_fen == 1500
    assert found[host.pk].lines[0].refunds_fen == 4500
    assert theirs.pk == found[host.pk].lines[0].line_id and mine.pk == found[farmer.pk].lines[0].line_id


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [("2026-13-01", "", "from"), ("", "tomorrow", "to"), ("2026-11-05", "2026-11-01", "to")],
)
def test_bad_periods_are_refused_with_the_field(first, last, field):
    with pytest.raises(services.StatementInvalid) as refused:
        services.parse_period(first, last, today=datetime.date(2026, 11, 20))
    assert list(refused.value.errors) == [field]
