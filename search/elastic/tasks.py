"""Background index updates for Elasticsearch, run by the django-tasks worker (``db_worker``)."""

from django_tasks import task

from . import conf
from .indexing import update_object


@task()
def update_document(kind: str, object_id: int) -> dict:
    """Re-index one object of ``kind`` (and its translations), or delete its document when it is
    no longer searchable. Returns the counts, or ``{"skipped": ...}`` when Elasticsearch is off."""
    if not conf.is_enabled():
        return {"skipped": "ELASTICSEARCH_URL is not set"}
    return update_object(kind, object_id)
