"""The daily sweep of certificates (issue 19, item 4): a certificate ending at midnight, town
time, leaves the search facet "certified" at the next run, not when the product happens to be
saved again; the command and the task run it; a second run the same day does nothing."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from products import tasks
from products.certificates import reindex_changed_certificates
from products.models import Certification, CertificationSweep
from search.indexing import rebuild
from tests.factories.products import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
LAST_DAY = datetime.date(2027, 5, 11)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def certify(product, kind, *, valid_from, valid_until, whole_producer=False):
    return Certification.objects.create(
        producer=product.producer,
        product=None if whole_producer else product,
        kind=kind,
        number="N-1",
        issuer="认证中心",
        valid_from=valid_from,
        valid_until=valid_until,
    )


def certified(client, kind):
    response = client.get("/search/", {"q": "茶", "certification": kind})
    return sorted(hit.title for hit in response.context["results"].hits)


@pytest.fixture
def teas(home_page):
    ending = ProductFactory(name="有机云雾茶", category="tea")
    certify(ending, "organic", valid_from=LAST_DAY - datetime.timedelta(days=300), valid_until=LAST_DAY)
    lasting = ProductFactory(name="绿色毛尖茶", category="tea")
    certify(
        lasting,
        "organic",
        valid_from=LAST_DAY - datetime.timedelta(days=300),
        valid_until=LAST_DAY.replace(year=2028),
    )
    # A producer-wide certificate that begins on the day after: its facet must appear then.
    starting = ProductFactory(name="高山红茶", category="tea")
    certify(
        starting,
        "green_food",
        valid_from=LAST_DAY + datetime.timedelta(days=1),
        valid_until=LAST_DAY.replace(year=2028),
        whole_producer=True,
    )
    with time_machine.travel(at(LAST_DAY, 23, 50), tick=False):
        rebuild()
        CertificationSweep.objects.create(through=LAST_DAY)
    return ending, lasting, starting


def test_an_expired_certificate_leaves_the_facet_at_the_run_after_midnight(client, teas):
    with time_machine.travel(at(LAST_DAY, 23, 55), tick=False):
        assert certified(client, "organic") == ["有机云雾茶", "绿色毛尖茶"]
        assert certified(client, "green_food") == []
    with time_machine.travel(at(LAST_DAY + datetime.timedelta(days=1), 0, 5), tick=False):
        # Midnight passed, nothing re-indexed yet: the index still says what it said.
        assert certified(client, "organic") == ["有机云雾茶", "绿色毛尖茶"]
        result = reindex_changed_certificates()
        assert (result.certificates, result.products) == (2, 2)
        assert certified(client, "organic") == ["绿色毛尖茶"]
        assert certified(client, "green_food") == ["高山红茶"]
        # Again the same day: nothing to do, nothing recorded twice.
        assert reindex_changed_certificates().products == 0
    assert list(CertificationSweep.objects.values_list("through", flat=True)) == [
        LAST_DAY + datetime.timedelta(days=1),
        LAST_DAY,
    ]


def test_a_missed_night_is_caught_up_by_the_command(client, teas):
    with time_machine.travel(at(LAST_DAY + datetime.timedelta(days=3), 0, 10), tick=False):
        call_command("products_reindex_certificates", stdout=io.StringIO())
        assert certified(client, "organic") == ["绿色毛尖茶"]
        assert certified(client, "green_food") == ["高山红茶"]


def test_the_daily_task_runs_the_sweep(client, teas):
    with time_machine.travel(at(LAST_DAY + datetime.timedelta(days=1), 0, 10), tick=False):
        result = tasks.reindex_changed_certificates_daily.enqueue()
        assert result.return_value["products"] == 2
        assert certified(client, "organic") == ["绿色毛尖茶"]
