"""The reports read from the replica when there is one, and nothing else does (town/replica.py)."""

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from orders.models import OrderLine
from reports import figures
from reports.figures import Period
from tests.factories.home import make_home_page
from tests.reports.figures_fixtures import build_town, d
from town.replica import ReportsReplicaRouter, reading_for_reports

NOV = Period(d(2026, 11, 1), d(2026, 12, 1))
router = ReportsReplicaRouter()


@override_settings(REPORTS_DATABASE="replica")
def test_only_reads_inside_a_report_go_to_the_replica():
    assert router.db_for_read(OrderLine) is None
    with reading_for_reports():
        assert router.db_for_read(OrderLine) == "replica"
        assert router.db_for_write(OrderLine) is None  # never write to a replica
    assert router.db_for_read(OrderLine) is None
    assert router.allow_migrate("replica", "orders") is False
    assert router.allow_migrate("default", "orders") is None


def test_without_a_replica_reports_read_the_primary():
    with reading_for_reports():
        assert router.db_for_read(OrderLine) == "default"


def _orderline_selects(queries):
    return [
        q["sql"] for q in queries if "orders_orderline" in q["sql"] and q["sql"].lstrip().startswith("SELECT")
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@override_settings(REPORTS_DATABASE="replica", REPORTS_CACHE_SECONDS=0)
def test_a_report_is_read_from_the_replica_and_sees_the_primarys_rows():
    """A second connection to the same committed database stands in for the replica: the month's
    homestay figures come through it, with the same numbers as test_homestays_in_november."""
    town = build_town(make_home_page())
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        rows = figures.homestay_rows(NOV)
    by_key = {str(row.key): row for row in rows if not row.is_total}
    assert (by_key[str(town.h1.pk)].nights_sold, by_key[str(town.h1.pk)].revenue_fen) == (5, 156667)
    assert (rows[-1].nights_sold, rows[-1].revenue_fen) == (7, 201668)
    assert _orderline_selects(on_replica.captured_queries), "no figure was read from the replica"
    assert _orderline_selects(on_primary.captured_queries) == []
    # Outside a report, the same kind of read stays on the primary.
    with CaptureQueriesContext(connections["replica"]) as after:
        assert OrderLine.objects.exists()
    assert after.captured_queries == []
