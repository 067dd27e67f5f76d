"""The checkout keeps who sells a line and on what terms; later changes of a rate or of a
household's flag rewrite no sale, in statements and in the prosperity report alike."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from accounts.roles import HOSTS
from orders.models import OrderLine
from orders.sellers import SaleTerms
from reports import figures
from statements import services
from statements.models import CommissionRate
from tests.factories.accounts import UserFactory
from tests.factories.products import ProducerFactory
from tests.orders.checkout_fixtures import basket_with_stay, check_out

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def host(stay_homestay):
    user = UserFactory(display_name="桃源居主人")
    user.groups.add(Group.objects.get_or_create(name=HOSTS)[0])  # a homestay's host must be in it
    stay_homestay.host = user
    stay_homestay.save()
    return user


def sell_a_stay(visitor, stay_room, arrival):
    basket_with_stay(visitor, stay_room, arrival, nights=2)
    (line,) = check_out(visitor, notes={}).order.lines.all()
    return line


def test_the_checkout_keeps_the_host_and_the_kinds_rate(visitor, host, stay_room, arrival):
    CommissionRate.objects.create(kind="stay", rate_bp=500)
    line = sell_a_stay(visitor, stay_room, arrival)
    assert (line.seller, line.commission_bp, line.seller_supported) == (host, 500, False)


def test_a_sale_keeps_its_terms_when_the_rate_and_the_flag_change_later(visitor, host, stay_room, arrival):
    rate = CommissionRate.objects.create(kind="stay", rate_bp=500)
    line = sell_a_stay(visitor, stay_room, arrival)
    sold_on = timezone.localdate(line.order.created_at)  # the town's day, as statements count it
    period = services.Period(sold_on.replace(day=1), sold_on)
    before = services.statement(host, period).totals.as_dict()

    rate.rate_bp = 2000
    rate.save()
    ProducerFactory(user=host, supported_household=True)

    line.refresh_from_db()
    assert (line.commission_bp, line.seller_supported) == (500, False)
    assert services.statement(host, period).totals.as_dict() == before
    assert before["commission_fen"] == 3000  # 5 % of 600.00
    # A new sale takes the terms as they stand now: a supported household pays nothing.
    assert services.sale_terms({("stay", host.pk)}) == {("stay", host.pk): SaleTerms(0, True)}


@pytest.mark.parametrize(
    ("rates", "supported", "expected"),
    [
        ({("stay", None): 500}, False, 500),
        ({("stay", None): 500}, True, 0),  # supported households: none by default
        ({("stay", None): 500, ("", "seller"): 200}, True, 200),  # unless staff set their own
        ({("stay", None): 500, ("", "seller"): 200, ("stay", "seller"): 100}, False, 100),
        ({("product", None): 300}, False, 0),  # another kind's rate
        ({}, False, 0),
    ],
)
def test_which_rate_a_sale_takes(rates, supported, expected):
    seller = ProducerFactory(supported_household=supported).user
    for (kind, who), bp in rates.items():
        CommissionRate.objects.create(kind=kind, seller=seller if who else None, rate_bp=bp)
    assert services.sale_terms({("stay", seller.pk)})[("stay", seller.pk)].commission_bp == expected


@override_settings(REPORTS_CACHE_SECONDS=0)
def test_the_prosperity_report_reads_the_flag_kept_at_the_sale():
    from .fixtures import at, sale

    household = ProducerFactory(supported_household=True).user
    sale(household, [8000], when=at(2026, 11, 3), supported=True)
    other = ProducerFactory(supported_household=False).user
    sale(other, [2000], when=at(2026, 11, 3), supported=False)
    november = figures.month_period(datetime.date(2026, 11, 1))

    # The household leaves the programme and the other joins: November's figures stay.
    from products.models import Producer

    Producer.objects.filter(user=household).update(supported_household=False)
    Producer.objects.filter(user=other).update(supported_household=True)

    total = figures.prosperity_rows(november)[-1]
    assert (total.total_fen, total.supported_fen) == (10000, 8000)
    assert OrderLine.objects.filter(seller_supported=True).count() == 1
