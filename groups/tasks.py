"""Background tasks of groups. Production runs them periodically (cron with the command of the
same job, or enqueued for the django-tasks-db worker)."""

from django_tasks import task

from .retention import purge_roster_ids


@task()
def purge_roster_ids_daily() -> dict:
    """Daily (say 03:10): remove the document numbers of rosters past their retention days
    (``groups.retention``; the command ``groups_purge_roster_ids`` does the same)."""
    result = purge_roster_ids()
    return {
        "cutoff": result.cutoff.isoformat(),
        "rosters": result.rosters,
        "participants": result.participants,
    }
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
