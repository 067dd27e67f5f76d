"""Row locks for the reservation core.

``lock_rows`` takes ``SELECT ... FOR UPDATE OF <table>`` on the inventory rows, always in
primary-key order so two bookings touching the same rows can never deadlock, and only inside a
transaction (a lock taken in autocommit mode would be released at once and protect nothing).

PostgreSQL: the wait is bounded by ``SET LOCAL lock_timeout`` (settings.RESERVATION_LOCK_TIMEOUT_MS,
default 5000 ms); a timeout becomes ``InventoryBusy`` instead of a hung request. The failed
statement aborts the transaction, so let the error leave the ``atomic`` block.

SQLite: ``select_for_update`` is a no-op, and needs not be more: the project runs SQLite with
``transaction_mode="IMMEDIATE"``, so every transaction takes the single database write lock at
BEGIN and writers are serialised as a whole (the busy timeout bounds the wait; past it Django
raises OperationalError "database is locked").
"""

from django.conf import settings
from django.db import OperationalError, connection

from .exceptions import InventoryBusy
from .models import Order, Payment

DEFAULT_LOCK_TIMEOUT_MS = 5000


def lock_timeout_ms() -> int:
    return int(getattr(settings, "RESERVATION_LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS))


def lock_rows(model, pks) -> dict:
    """Lock the rows of ``model`` with these primary keys, in pk order; return {pk: instance}.

    Missing rows are simply absent from the result: the caller decides what that means.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic().")
    pks = sorted(set(pks))
    if not pks:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # SET cannot take a bind parameter; the value is an int from settings.
            cursor.execute(f"SET LOCAL lock_timeout = {lock_timeout_ms():d}")
    queryset = model._default_manager.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")
    try:
        return {obj.pk: obj for obj in queryset}
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise InventoryBusy() from exc
        raise


def _is_lock_timeout(exc: OperationalError) -> bool:
    # psycopg raises errors.LockNotAvailable (SQLSTATE 55P03); Django wraps it in OperationalError.
    return getattr(exc.__cause__, "sqlstate", None) == "55P03"


def lock_payment(payment):
    """Lock a payment and its order for a change of state; returns (payment, order), fresh.

    Order first, then its payment: the same order as ``cancel_order`` and the refunds take, so
    webhooks, staff and visitors acting on one order at once never deadlock."""
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    return payment, order
