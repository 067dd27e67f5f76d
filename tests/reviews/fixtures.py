"""Order lines as the reviews see them, made directly (the checkout has its own tests)."""

import datetime
from zoneinfo import ZoneInfo

from orders.models import OrderLine, Voucher
from products.models import LineFulfilment
from tests.factories.orders import OrderFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    """A moment on ``day`` (Asia/Shanghai)."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def line_of(user, kind, *, status="paid", object_id=1, page_id=None, **fields):
    order = OrderFactory(user=user, status=status)
    return OrderLine.objects.create(
        order=order,
        kind=kind,
        object_id=object_id,
        title=fields.pop("title", f"a {kind}"),
        unit_price_fen=10000,
        total_fen=10000,
        page_id_snapshot=page_id,
        **fields,
    )


def stay_line(user, check_in, nights=2, **kwargs):
    return line_of(
        user,
        "stay",
        start_date=check_in,
        end_date=check_in + datetime.timedelta(days=nights),
        nights=nights,
        **kwargs,
    )


def tour_line(user, *, attended_on=None, **kwargs):
    line = line_of(user, "tour", **kwargs)
    voucher = Voucher.objects.create(order_line=line)
    if attended_on is not None:
        Voucher.objects.filter(pk=voucher.pk).update(used_at=at(attended_on, 9))
    return OrderLine.objects.get(pk=line.pk)


def product_line(user, *, fulfilment=None, on=None, **kwargs):
    line = line_of(user, "product", options={"delivery": "pickup"}, **kwargs)
    if fulfilment:
        row = LineFulfilment.objects.create(order_line=line, status=fulfilment)
        LineFulfilment.objects.filter(pk=row.pk).update(updated_at=at(on, 15))
    return OrderLine.objects.get(pk=line.pk)
