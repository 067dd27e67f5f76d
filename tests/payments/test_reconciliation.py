"""Daily reconciliation (对账) through the real SDKs against the fake providers' bills.

The day is 2026-12-04 in Beijing; the run happens the next morning at 10:00, time pinned.
Payments and refunds are our rows as the notifications left them (made directly, no checkout):
what is under test is the download, the reading of each provider's file and the matching.
"""

import uuid
from datetime import date, datetime, time, timedelta
from time import sleep

import pytest
import time_machine
from django.core.management import call_command

from orders.models import Discrepancy, ReconciliationDay, Refund
from orders.payments import reconciliation
from orders.payments.statements import BEIJING
from orders.payments.wechatpay_provider import out_trade_no
from tests.conftest import real_now

from .test_providers import confirm_as_browser

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

DAY = date(2026, 12, 4)


def at(hour, minute=0, second=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def next_morning():
    with time_machine.travel(at(10, day=DAY + timedelta(days=1)), tick=False):
        yield


@pytest.fixture
def paid(make_payment):
    """A payment of ours, paid (as the notification recorded it) at ``when``."""

    def make(provider, amount_fen, when, **fields):
        return make_payment(
            total_fen=amount_fen, provider=provider, status="succeeded", paid_at=when, **fields
        )

    return make


def refund_of(payment, amount_fen, reference, when):
    refund = Refund.objects.create(payment=payment, amount_fen=amount_fen, provider_reference=reference)
    Refund.objects.filter(pk=refund.pk).update(created_at=when)
    payment.refunded_fen += amount_fen
    payment.status = "partially_refunded"
    payment.save()
    return refund


def kinds(day_row):
    return sorted((d.kind, d.direction, d.statement_fen, d.ours_fen) for d in day_row.discrepancies.all())


# --- WeChat Pay ------------------------------------------------------------------------------------


def test_wechat_day_with_an_unknown_a_missing_and_an_amount_difference_reports_each(wechatpay_on, paid):
    matched = paid("wechatpay", 52800, at(9))
    missing = paid("wechatpay", 30000, at(12))
    differs = paid("wechatpay", 18800, at(15))
    stranger = uuid.uuid4().hex
    wechatpay_on.bill_payment(DAY, out_trade_no(matched), 52800, time="09:00:00")
    wechatpay_on.bill_payment(DAY, out_trade_no(differs), 18000, time="15:00:00")
    wechatpay_on.bill_payment(DAY, stranger, 6600, time="16:00:00")

    [row] = reconciliation.reconcile(DAY, ["wechatpay"])

    assert row.status == "discrepancies"
    assert kinds(row) == [
        ("amount", "payment", 18000, 18800),
        ("missing", "payment", None, 30000),
        ("unknown", "payment", 6600, None),
    ]
    by_kind = {d.kind: d for d in row.discrepancies.select_related("payment__order")}
    assert by_kind["missing"].payment == missing and by_kind["missing"].order == missing.order
    assert by_kind["amount"].order == differs.order
    assert by_kind["unknown"].reference == stranger and by_kind["unknown"].order is None
    # Every fen accounted for: the statement's total against ours, the gap exactly the discrepancies.
    assert (row.statement_in_fen, row.ours_in_fen) == (52800 + 18000 + 6600, 52800 + 30000 + 18800)
    gap = sum((d.statement_fen or 0) - (d.ours_fen or 0) for d in row.discrepancies.all())
    assert row.difference_fen == gap == 6600 - 30000 - 800


def test_a_clean_wechat_day_with_a_refund_reports_nothing_and_the_totals_agree(wechatpay_on, paid):
    payment = paid("wechatpay", 52800, at(9))
    refund = refund_of(payment, 10000, f"{payment.idempotency_key.hex}-0-10000", at(11))
    wechatpay_on.bill_payment(DAY, out_trade_no(payment), 52800)
    wechatpay_on.bill_refund(DAY, out_trade_no(payment), refund.provider_reference, 10000, 52800)

    [row] = reconciliation.reconcile(DAY, ["wechatpay"])

    assert row.status == "matched" and not row.discrepancies.exists()
    assert (row.statement_in_fen, row.statement_out_fen) == (52800, 10000)
    assert (row.ours_in_fen, row.ours_out_fen) == (52800, 10000)
    assert row.difference_fen == 0 and row.matched_lines == 2 and row.downloaded_at is not None
    # The SDK really asked for the bill and downloaded it (signed requests the fake accepted).
    paths = [path for _method, path in wechatpay_on.requests]
    assert any(p.startswith("/v3/bill/tradebill?bill_date=2026-12-04") for p in paths)
    assert any(p.startswith("/v3/billdownload/file") for p in paths) and not wechatpay_on.refused


def test_a_refund_on_the_bill_that_we_never_recorded_is_unknown_money_out(wechatpay_on, paid):
    payment = paid("wechatpay", 52800, at(9))
    wechatpay_on.bill_payment(DAY, out_trade_no(payment), 52800)
    wechatpay_on.bill_refund(DAY, out_trade_no(payment), "console-refund-1", 2000, 52800)

    [row] = reconciliation.reconcile(DAY, ["wechatpay"])

    assert kinds(row) == [("unknown", "refund", 2000, None)]
    assert row.difference_fen == -2000


def test_a_payment_just_before_midnight_on_the_next_days_bill_is_carried_not_missing(wechatpay_on, paid):
    late = paid("wechatpay", 8800, at(23, 59, 59))
    wechatpay_on.bill_payment(DAY, out_trade_no(paid("wechatpay", 100, at(8))), 100)

    [row] = reconciliation.reconcile(DAY, ["wechatpay"])
    assert row.status == "matched" and row.carried_fen == 8800
    assert row.carried_references == [out_trade_no(late)]

    # WeChat booked it just after midnight: the next day's run matches it.
    next_day = DAY + timedelta(days=1)
    wechatpay_on.bill_payment(next_day, out_trade_no(late), 8800, time="00:00:02")
    with time_machine.travel(at(10, day=next_day + timedelta(days=1)), tick=False):
        [following] = reconciliation.reconcile(next_day, ["wechatpay"])
    assert following.status == "matched" and following.ours_in_fen == 8800

    # Had it been on neither day's bill, the next day would call it missing.
    wechatpay_on.bills[str(next_day)] = []
    with time_machine.travel(at(10, day=next_day + timedelta(days=1)), tick=False):
        [following] = reconciliation.reconcile(next_day, ["wechatpay"])
    assert kinds(following) == [("missing", "payment", None, 8800)]


def test_a_payment_recorded_after_midnight_but_on_the_previous_days_bill_is_not_missing(wechatpay_on, paid):
    # The notification reached us at 00:03; WeChat's bill has it at 23:59:50 of the day before.
    payment = paid("wechatpay", 8800, at(0, 3, day=DAY + timedelta(days=1)))
    wechatpay_on.bill_payment(DAY, out_trade_no(payment), 8800, time="23:59:50")
    [row] = reconciliation.reconcile(DAY, ["wechatpay"])
    assert row.status == "matched"

    next_day = DAY + timedelta(days=1)
    wechatpay_on.bill_payment(next_day, out_trade_no(paid("wechatpay", 100, at(9, day=next_day))), 100)
    with time_machine.travel(at(10, day=next_day + timedelta(days=1)), tick=False):
        [following] = reconciliation.reconcile(next_day, ["wechatpay"])
    assert following.status == "matched", kinds(following)


def test_running_a_day_again_replaces_its_result_and_keeps_staff_resolutions(wechatpay_on, paid, admin_user):
    paid("wechatpay", 30000, at(12))
    wechatpay_on.bill_payment(DAY, uuid.uuid4().hex, 100)
    [first] = reconciliation.reconcile(DAY, ["wechatpay"])
    found_first = kinds(first)
    missing = first.discrepancies.get(kind="missing")
    assert reconciliation.resolve(missing, user=admin_user, note="Paid in cash, refunded on WeChat by hand")

    [again] = reconciliation.reconcile(DAY, ["wechatpay"])

    assert ReconciliationDay.objects.filter(provider="wechatpay", day=DAY).count() == 1
    assert Discrepancy.objects.filter(day__day=DAY).count() == 2
    assert kinds(again) == found_first
    kept = again.discrepancies.get(kind="missing")
    assert kept.resolved_by == admin_user and kept.note.startswith("Paid in cash")
    assert again.discrepancies.get(kind="unknown").resolved_at is None


def test_a_bill_that_cannot_be_had_is_reported_as_a_failed_day(wechatpay_on, paid):
    paid("wechatpay", 30000, at(12))
    wechatpay_on.bill_errors[str(DAY)] = (400, {"code": "STATEMENT_CREATING", "message": "账单生成中"})

    [row] = reconciliation.reconcile(DAY, ["wechatpay"])

    assert row.status == "failed" and "STATEMENT_CREATING" in row.error
    [discrepancy] = row.discrepancies.all()
    assert discrepancy.kind == "download" and discrepancy.resolved_at is None


def test_a_bill_whose_hash_does_not_match_is_refused(wechatpay_on, paid, monkeypatch):
    wechatpay_on.bill_payment(DAY, uuid.uuid4().hex, 100)
    original = wechatpay_on.bill_text
    monkeypatch.setattr(wechatpay_on, "bill_text", lambda day: original(day).replace("`1.00", "`9.00", 1))
    # The hash is taken of the bill as WeChat wrote it; a changed file must not be believed.
    real_trade_bill = type(wechatpay_on)._trade_bill

    def tampered(self, query):
        status, body = real_trade_bill(self, query)
        body["hash_value"] = "0" * 40
        return status, body

    monkeypatch.setattr(type(wechatpay_on), "_trade_bill", tampered)
    [row] = reconciliation.reconcile(DAY, ["wechatpay"])
    assert row.status == "failed" and "SHA1" in row.error


# --- Alipay --------------------------------------------------------------------------------------


def test_alipay_day_with_an_unknown_a_missing_an_amount_difference_and_a_refund(alipay, paid):
    ok = paid("alipay", 52800, at(9), provider_reference="TY2026AAAAAA_1")
    refund = refund_of(ok, 10000, "req-ok-1", at(13))
    missing = paid("alipay", 30000, at(12), provider_reference="TY2026BBBBBB_2")
    differs = paid("alipay", 18800, at(15), provider_reference="TY2026CCCCCC_3")
    alipay.bill_payment(DAY, "TY2026AAAAAA_1", 52800)
    alipay.bill_refund(DAY, "TY2026AAAAAA_1", refund.provider_reference, 10000, 52800)
    alipay.bill_payment(DAY, "TY2026CCCCCC_3", 18000)
    alipay.bill_payment(DAY, "TY2026ZZZZZZ_9", 6600)

    [row] = reconciliation.reconcile(DAY, ["alipay"])

    assert kinds(row) == [
        ("amount", "payment", 18000, 18800),
        ("missing", "payment", None, 30000),
        ("unknown", "payment", 6600, None),
    ]
    assert {d.order for d in row.discrepancies.all()} == {missing.order, differs.order, None}
    assert (row.statement_in_fen, row.statement_out_fen) == (52800 + 18000 + 6600, 10000)
    assert (row.ours_in_fen, row.ours_out_fen) == (52800 + 30000 + 18800, 10000)
    [(method, biz)] = [c for c in alipay.calls if c[0].startswith("alipay.data")]
    assert biz == {"bill_type": "trade", "bill_date": "2026-12-04"} and not alipay.refused


def test_a_clean_alipay_day_reports_nothing(alipay, paid):
    payment = paid("alipay", 52800, at(9), provider_reference="TY2026AAAAAA_1")
    alipay.bill_payment(DAY, payment.provider_reference, 52800)
    [row] = reconciliation.reconcile(DAY, ["alipay"])
    assert row.status == "matched" and row.difference_fen == 0 and row.statement_in_fen == 52800


def test_alipay_without_a_bill_is_a_failed_day(alipay):
    [row] = reconciliation.reconcile(DAY, ["alipay"])
    assert row.status == "failed" and "bill_not_exist" in row.error


# --- Stripe (localstripe keeps its own clock: the day is the real one) ---------------------------


def test_stripe_balance_transactions_match_our_payment_and_refund(stripe_on, make_payment):
    now = real_now()
    # localstripe stamps its transactions by the real clock: a run in the last seconds of a Beijing
    # day would see them on the next day's statement. Wait for the new day then, rather than fail.
    next_midnight = datetime.combine(now.astimezone(BEIJING).date() + timedelta(days=1), time(), BEIJING)
    if next_midnight - now < timedelta(seconds=30):
        sleep((next_midnight - now).total_seconds() + 1)
        now = real_now()
    with time_machine.travel(now, tick=True):
        payment = make_payment(total_fen=60000, provider="stripe")
        intent = stripe_on.v1.payment_intents.create(
            {"amount": 60000, "currency": "cny", "payment_method_types": ["card"]}
        )
        confirm_as_browser(stripe_on, intent.id)
        stripe_refund = stripe_on.v1.refunds.create({"payment_intent": intent.id, "amount": 15000})
        payment.provider_reference, payment.status, payment.paid_at = intent.id, "partially_refunded", now
        payment.refunded_fen = 15000
        payment.save()
        Refund.objects.create(payment=payment, amount_fen=15000, provider_reference=stripe_refund.id)
        day = now.astimezone(BEIJING).date()
        [row] = reconciliation.reconcile(day, ["stripe"])
    # localstripe's store is shared by the session: other tests' charges of the day are unknown here.
    ours = [d for d in row.discrepancies.all() if d.reference in (intent.id, stripe_refund.id)]
    assert ours == [] and row.status in ("matched", "discrepancies")
    # The only discrepancies allowed are other tests' charges, unknown to this test's database:
    # nothing of ours missing, no amount apart, the download not failed.
    assert {d.kind for d in row.discrepancies.all()} <= {"unknown"}
    assert set(row.matched_references) == {intent.id, stripe_refund.id}
    assert (row.ours_in_fen, row.ours_out_fen) == (60000, 15000)


# --- how it runs --------------------------------------------------------------------------------


def test_the_command_reconciles_yesterday_for_the_configured_providers(wechatpay_on, paid, capsys):
    payment = paid("wechatpay", 52800, at(9))
    wechatpay_on.bill_payment(DAY, out_trade_no(payment), 52800)
    call_command("orders_reconcile")
    assert ReconciliationDay.objects.get(provider="wechatpay", day=DAY).status == "matched"
    assert "wechatpay 2026-12-04" in capsys.readouterr().out


def test_the_command_refuses_a_bad_date(wechatpay_on):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("orders_reconcile", "--date", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("orders_reconcile", "--provider", "paypal")


def test_without_keys_nothing_is_reconciled(settings):
    settings.WECHATPAY_MCHID = settings.ALIPAY_APP_ID = settings.STRIPE_SECRET_KEY = ""
    assert reconciliation.reconcile(DAY) == []
    assert not ReconciliationDay.objects.exists()


def test_the_task_reconciles_yesterday_and_counts_the_days_with_discrepancies(wechatpay_on, paid):
    from orders.tasks import reconcile_payments

    paid("wechatpay", 30000, at(12))  # not on the bill: missing
    wechatpay_on.bill_payment(DAY, uuid.uuid4().hex, 100)
    result = reconcile_payments.enqueue()
    assert result.return_value == 1
    assert ReconciliationDay.objects.get(provider="wechatpay", day=DAY).status == "discrepancies"


def test_money_on_the_bill_for_an_order_that_never_learnt_it_was_paid_is_unknown_and_linked(
    wechatpay_on, make_payment
):
    # The notification never reached us: our payment is still pending, WeChat has the money.
    pending = make_payment(total_fen=52800, provider="wechatpay")
    wechatpay_on.bill_payment(DAY, out_trade_no(pending), 52800)
    [row] = reconciliation.reconcile(DAY, ["wechatpay"])
    [discrepancy] = row.discrepancies.all()
    assert (discrepancy.kind, discrepancy.statement_fen) == ("unknown", 52800)
    assert discrepancy.order == pending.order  # staff open the order from the report
