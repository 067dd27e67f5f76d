"""Background tasks of the reservation core."""

from django_tasks import task

from . import order_state
from .reservations import release_expired


@task()
def release_expired_holds() -> int:
    """Periodic tidy: mark lapsed holds expired (counts already ignore them; see reservations.py)."""
    return release_expired()


@task()
def cancel_unpaid_orders() -> int:
    """Periodic tidy: cancel online orders left unpaid past their holds and the grace period."""
    return order_state.cancel_unpaid_orders()


@task()
def run_waitlist() -> int:
    """Periodic: lapsed waiting-list offers pass to the next; what is free is offered (waitlist.py)."""
    from . import waitlist

    return waitlist.run_waitlist()


@task()
def reconcile_payments() -> int:
    """Daily, after the providers publish their bills (say 10:00): yesterday's statements against
    our payments and refunds (``payments.reconciliation``). Returns the days with discrepancies."""
    from .payments import reconciliation

    return sum(1 for day in reconciliation.reconcile() if day.status != "matched")
