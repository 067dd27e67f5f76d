"""Background tasks of timed entry. Production runs them daily (cron with the commands of the
same job, or enqueued for the django-tasks-db worker)."""

from django_tasks import task

from .retention import purge_id_numbers
from .schedules import DEFAULT_DAYS, generate_all_windows


@task()
def generate_entry_windows(days: int = DEFAULT_DAYS) -> int:
    """Daily: the entry windows of every spot for the next days (``gates_generate_windows``)."""
    return generate_all_windows(days=days)


@task()
def purge_id_numbers_daily() -> dict:
    """Daily (say 03:00): remove the ID numbers of entries past their retention days
    (``gates.retention``; the command ``gates_purge_id_numbers`` does the same)."""
    result = purge_id_numbers()
    return {
        "cutoff": result.cutoff.isoformat(),
        "lines": result.lines,
        "passes": result.passes,
        "basket_lines": result.basket_lines,
    }
