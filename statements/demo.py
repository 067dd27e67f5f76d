"""Demo step: commission rates and a few months of payouts to the demo farmers and hosts, so
their statements show money earned, paid and still owed."""

import datetime

from django.contrib.auth import get_user_model

from homestays.models import HomestayPage
from products.models import Producer, ProducerStatus

from . import services
from .models import CommissionRate, Payout, PayoutMethod

# The platform's cut on new sales, by kind (basis points); supported households pay none.
DEMO_RATES = {"product": 300, "stay": 500, "tour": 500}
METHODS = [PayoutMethod.WECHAT, PayoutMethod.BANK_TRANSFER, PayoutMethod.CASH]


def load_payouts(ctx):
    for kind, bp in DEMO_RATES.items():
        CommissionRate.objects.get_or_create(kind=kind, seller=None, defaults={"rate_bp": bp})
    if Payout.objects.exists():
        return
    this_month = ctx.today.replace(day=1)
    farmers = Producer.objects.filter(status=ProducerStatus.VERIFIED).values_list("user_id", flat=True)
    hosts = HomestayPage.objects.filter(host__isnull=False).values_list("host_id", flat=True)
    sellers = get_user_model().objects.filter(pk__in={*farmers, *hosts}).order_by("pk")
    made = 0
    for n, seller in enumerate(sellers):
        # Paid on the 5th of each of the last three months: what was owed at the end of the month
        # before, less a little kept back (the demo then shows something still owed).
        month = this_month
        for _i in range(3):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        for i in range(3):
            paid_on = month.replace(day=5)
            month_before = services.month_period(month - datetime.timedelta(days=1))
            owed = services.statement(seller, month_before)
            amount = (owed.totals.balance_fen * 9 // 10) // 100 * 100
            if amount > 0 and paid_on <= ctx.today:
                Payout.objects.create(
                    seller=seller,
                    paid_on=paid_on,
                    amount_fen=amount,
                    method=METHODS[(n + i) % len(METHODS)],
                    reference=f"DEMO-{seller.pk}-{paid_on:%Y%m}",
                )
                made += 1
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    if ctx.verbosity:
        ctx.write(f"  payouts: {made}")
