"""Sales, refunds and payouts made directly, as the checkout and the refund services leave them
(the checkout's own keeping of the terms is tested through it in test_terms)."""

import datetime
import zoneinfo

from django.utils import timezone

from orders.models import Order, OrderLine, Payment, Refund
from statements.models import Payout
from tests.factories.orders import OrderFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def sale(seller, amounts, *, when, bp=0, status="paid", supported=False, kind="product"):
    """One order of lines of ``seller`` (one per amount in fen), paid in full at ``when``."""
    order = OrderFactory(status=status, total_fen=sum(amounts))
    Order.objects.filter(pk=order.pk).update(created_at=when)
    lines = [
        OrderLine.objects.create(
            order=order,
            kind=kind,
            object_id=1,
            title=f"山货 {i}",
            item_name="",
            quantity=1,
            unit_price_fen=amount,
            total_fen=amount,
            provider_user=seller,
            seller=seller,
            commission_bp=bp,
            seller_supported=supported,
        )
        for i, amount in enumerate(amounts)
    ]
    payment = Payment.objects.create(
        order=order, provider="on_site", amount_fen=sum(amounts), status="succeeded", paid_at=when
    )
    order.refresh_from_db()
    return order, lines, payment


def refund(payment, amount, *, when):
    row = Refund.objects.create(payment=payment, amount_fen=amount, reason="test")
    Refund.objects.filter(pk=row.pk).update(created_at=when)
    Payment.objects.filter(pk=payment.pk).update(refunded_fen=payment.refunded_fen + amount)
    payment.refresh_from_db()
    return row


def cancel_line(line, payment, amount, *, when):
    """A line cancelled on its own, ``amount`` given back for it (orders.line_cancel)."""
    OrderLine.objects.filter(pk=line.pk).update(cancelled_at=when, refund_fen=amount)
    if amount:
        refund(payment, amount, when=when)


def payout(seller, amount, day, method="wechat"):
    return Payout.objects.create(seller=seller, paid_on=day, amount_fen=amount, method=method, reference="T")


def now_at(moment):
    return timezone.localtime(moment)
