"""Reads that may come from a PostgreSQL read replica: the town's reports.

With ``DATABASE_REPLICA_URL`` set, the figures behind the admin reports, the dashboard and "the
town in numbers" are read from the replica, so a month's report over a year of order lines does
not compete with checkouts for the primary. Everything else reads the primary: a visitor who has
just booked must see the booking, which a replica a second behind may not have yet. Figures
tolerate that second (they are cached for minutes anyway).

Only code inside ``reading_for_reports()`` is routed; the router leaves every other query alone.
"""

import contextlib
import contextvars

from django.conf import settings

_for_reports = contextvars.ContextVar("tianyuan_reading_for_reports", default=False)


@contextlib.contextmanager
def reading_for_reports():
    token = _for_reports.set(True)
    try:
        yield
    finally:
        _for_reports.reset(token)


def reports_database() -> str:
    return getattr(settings, "REPORTS_DATABASE", "default")


class ReportsReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reports' reads to ``REPORTS_DATABASE``, nothing else moved."""

    def db_for_read(self, model, **hints):
        if _for_reports.get():
            return reports_database()
        return None

    def db_for_write(self, model, **hints):
        return None  # writes always go to the primary, even inside a report (cache fills are not rows)

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema by replication; migrating it would fail (read-only).
        return False if db == "replica" else None
