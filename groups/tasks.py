"""Background tasks of group bookings (django-tasks), as the management commands run them."""

from django_tasks import task


@task()
def release_unpaid_quotes() -> int:
    """Periodic: deposits not paid in the quote's hold time release everything (services.py)."""
    from .services import release_unpaid_quotes as release

    return release()


@task()
def remind_balance(days_before: int = 7) -> int:
    """Daily: groups whose balance falls due within ``days_before`` days are told, once."""
    from orders.deposits import send_balance_reminders

    return send_balance_reminders(days_before=days_before)
