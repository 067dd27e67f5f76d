import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.locking import lock_rows
from tests.factories.orders import InventoryRowFactory


def test_lock_rows_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        lock_rows(Group, [1])


@pytest.mark.django_db
def test_lock_rows_returns_the_rows_by_pk_and_skips_missing_ones():
    first, second = InventoryRowFactory(), InventoryRowFactory()
    with transaction.atomic():
        locked = lock_rows(Group, [second.pk, first.pk, 999_999])
    assert list(locked) == [first.pk, second.pk]


@pytest.mark.django_db
def test_lock_rows_takes_for_update_of_the_table_on_postgres(db_vendor):
    row = InventoryRowFactory()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        lock_rows(Group, [row.pk])
    sqls = [query["sql"] for query in captured.captured_queries]
    [select] = [sql for sql in sqls if sql.startswith("SELECT")]
    if db_vendor == "postgresql":
        assert any("lock_timeout" in sql for sql in sqls)
        assert 'FOR UPDATE OF "auth_group"' in select
    else:
        # SQLite has no row locks: the IMMEDIATE transaction already holds the write lock.
        assert "FOR UPDATE" not in select
