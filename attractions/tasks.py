"""Background tasks of the attractions app: keep tour slots generated ahead (see ``schedules``).

Production enqueues ``generate_all_tour_slots`` daily (cron, or the ``attractions_generate_slots``
command directly) so the window of bookable slots moves forward; the django-tasks-db worker runs it.
"""

from django_tasks import task

from .models import ExperiencePage
from .schedules import DEFAULT_DAYS, generate_all_slots, generate_slots


@task()
def generate_all_tour_slots(days: int = DEFAULT_DAYS) -> dict:
    results = generate_all_slots(days=days)
    return {
        "experiences": len(results),
        "created": sum(r.created for r in results.values()),
        "deleted": sum(r.deleted for r in results.values()),
    }


@task()
def generate_tour_slots(page_id: int, days: int = DEFAULT_DAYS) -> int:
    """Slots for one experience (e.g. right after it is published); returns how many were created."""
    page = ExperiencePage.objects.filter(pk=page_id).first()
    if page is None:
        return 0
    return generate_slots(page, days=days).created
