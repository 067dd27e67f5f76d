"""The farmer's morning list: what to bring to which homestay today, by their notice channels.

``send_morning_lists`` is run daily by ``manage.py farmer_deliveries`` (cron, early morning).
Each line it names is claimed (``OrderLine.listed_for_provider_at``) under its lock in the
transaction that queues the list, so a farmer gets one list a day however often it runs; a line
sold for today after the morning's run comes in a short list of its own on the next run.
"""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django_tasks import task

from accounts.models import User
from accounts.notices import channels_for, send_notice_sms
from orders.models import SOLD_STATUSES, OrderLine, ReservationKind
from orders.reservations import local_today

from .dashboard.selectors import homestay_deliveries
from .lines import quantity_words
from .models import FulfilmentStatus, Product

SMS_TEXT = gettext_lazy("Today's deliveries (%(count)s): %(what)s. %(url)s")
SMS_WHAT_LENGTH = 50


def today_bounds(now=None):
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(local_today(now), datetime.time(), tzinfo=zone)
    return start, start + datetime.timedelta(days=1)


def lines_to_list(now=None):
    """Produce sold for delivery to a homestay today, not yet handed over and not yet listed."""
    start, end = today_bounds(now)
    return OrderLine.objects.filter(
        kind=ReservationKind.PRODUCT,
        order__status__in=SOLD_STATUSES,
        cancelled_at__isnull=True,
        listed_for_provider_at__isnull=True,
        provider_user__isnull=False,
        starts_at__gte=start,
        starts_at__lt=end,
        options__delivery="homestay",
    ).filter(Q(fulfilment__isnull=True) | Q(fulfilment__status=FulfilmentStatus.PACKED))


def send_morning_lists(now=None) -> int:
    """Queue each farmer's list of today's deliveries; returns how many farmers."""
    now = now or timezone.now()
    by_farmer = defaultdict(list)
    for farmer_id, line_id in (
        lines_to_list(now).order_by("provider_user_id", "pk").values_list("provider_user_id", "pk")
    ):
        by_farmer[farmer_id].append(line_id)
    sent = 0
    for farmer_id, line_ids in by_farmer.items():
        with transaction.atomic():
            claimed = list(
                OrderLine.objects.select_for_update(of=("self",))
                .filter(pk__in=line_ids, listed_for_provider_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not claimed:  # another run took them
                continue
            OrderLine.objects.filter(pk__in=claimed).update(listed_for_provider_at=now)
            transaction.on_commit(lambda f=farmer_id, c=claimed: send_morning_list.enqueue(f, c))
        sent += 1
    return sent


@task()
def send_morning_list(farmer_id: int, line_ids: list) -> None:
    farmer = User.objects.get(pk=farmer_id)
    lines = list(
        OrderLine.objects.filter(pk__in=line_ids).select_related("order").order_by("starts_at", "pk")
    )
    places = homestay_deliveries(lines)
    units = dict(Product.objects.filter(pk__in={line.object_id for line in lines}).values_list("pk", "unit"))
    channels = channels_for(farmer)
    language = farmer.notice_language
    with translation.override(language):
        rows = []
        for line in lines:
            place = places.get(line.pk)
            rows.append(
                {
                    "line": line,
                    "quantity": quantity_words(line.quantity, units.get(line.object_id)),
                    "guest": place.guest if place else line.order.contact_name,
                    "place": place.place if place else None,
                }
            )
        url = _absolute_orders_url()
        if channels.email:
            body = render_to_string("products/dashboard/email/deliveries.txt", {"rows": rows, "link": url})
            send_mail(
                getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
                + gettext("Today's deliveries: %(n)d") % {"n": len(rows)},
                body,
                None,
                [channels.email],
            )
        if channels.sms:
            what = "; ".join(_row_words(row) for row in rows)
            if len(what) > SMS_WHAT_LENGTH:
                what = what[: SMS_WHAT_LENGTH - 1] + "…"
            send_notice_sms(
                channels.sms,
                "farmer_deliveries",
                SMS_TEXT,
                {"count": len(rows), "what": what, "url": url},
                language=language,
            )


def _row_words(row):
    """ "蜜桃 3 斤 → 桃园小筑": what goes where, as short as an SMS wants."""
    where = row["place"].name if row["place"] else row["guest"]
    return f"{row['line'].title} {row['quantity']} → {where}"


def _absolute_orders_url():
    from .producers import _absolute

    return _absolute("farmer_orders")
