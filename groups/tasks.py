"""Background tasks of groups. Production runs them daily (cron with the command of the same job,
or enqueued for the django-tasks-db worker)."""

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
