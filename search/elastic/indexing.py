"""Writing to Elasticsearch: full rebuilds with an alias swap, and one object at a time.

Document bodies come from ``search.indexing.build_entries`` — the same tokens, translations,
facets and labels the database backend stores in ``SearchEntry`` rows — so both backends search
exactly the same text. Planning (which documents to index or delete, with which bodies) reads
only the database; ``send`` is the one function that talks to the server.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from search.indexing import build_entries
from search.registry import SearchKind, all_kinds, get_kind

from . import conf
from .documents import KEYWORD_FACETS, bulk_action, document_id, encode_label, index_body

logger = logging.getLogger(__name__)
BATCH_SIZE = 500


def document_body(entry, facet_rows) -> dict:
    """The ``_source`` of one document, from an unsaved ``SearchEntry`` and its ``SearchFacet`` rows."""
    values: dict[str, list[str]] = {}
    labels = []
    for row in facet_rows:
        if row.name in ("kind", "price"):  # the kind field and price_fen hold these
            continue
        values.setdefault(row.name, [])
        if row.value not in values[row.name]:
            values[row.name].append(row.value)
            labels.append(encode_label(row.name, row.value, row.label))
    body = {
        "kind": entry.kind,
        "object_id": str(entry.object_pk),
        "language": entry.language,
        "title": entry.title,
        "text": entry.text,
        **{name: values.get(name, []) for name in KEYWORD_FACETS},
        "in_season": sorted(int(m) for m in values.get("in_season", []) if str(m).isdigit()),
        "price_fen": entry.price_fen,
        "location": None,
        "facet_labels": labels,
        "name": entry.name,
        "summary": entry.summary,
        "url": entry.url,
        "village_label": entry.village,
        "image_id": entry.image_id,
        "order": entry.order,
    }
    if entry.latitude is not None and entry.longitude is not None:
        body["location"] = {"lat": entry.latitude, "lon": entry.longitude}
    return body


def document_bodies(kind: SearchKind, objs: list) -> list[dict]:
    return [document_body(entry, rows) for entry, rows in build_entries(kind, objs)]


@dataclass
class Plan:
    """What one update sends: bodies to index and document ids to delete, for one kind."""

    kind: str
    index: list[dict] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)

    def actions(self) -> list[dict]:
        alias = conf.alias_name(self.kind)
        return [bulk_action(self.kind, body) for body in self.index] + [
            {"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id in self.delete
        ]


def plan_update(kind_name: str, object_id) -> Plan:
    """Re-index one object and its translations (their documents carry each other's text);
    delete the documents of those that are no longer searchable (unpublished, private, deleted)."""
    kind = get_kind(kind_name)
    plan = Plan(kind=kind_name)
    if kind is None:
        return plan
    manager = kind.model._default_manager
    obj = manager.filter(pk=object_id).first()
    key = getattr(obj, "translation_key", None) if obj is not None else None
    if key is not None:
        related_ids = set(manager.filter(translation_key=key).values_list("pk", flat=True))
        live = list(kind.live_queryset().filter(translation_key=key).order_by("pk"))
    else:
        related_ids = set()
        live = list(kind.live_queryset().filter(pk=object_id))
    related_ids.add(int(object_id))
    plan.index = document_bodies(kind, live)
    indexed = {int(body["object_id"]) for body in plan.index}
    plan.delete = [document_id(kind_name, pk) for pk in sorted(related_ids - indexed)]
    return plan


def send(actions: Iterable[dict]) -> tuple[int, list]:
    """Send bulk actions; a delete of a document that is not there is not an error."""
    from elasticsearch import helpers

    return helpers.bulk(conf.get_client(), actions, ignore_status=(404,), refresh=False)


def ensure_alias(kind_name: str) -> str:
    """Make sure ``kind_name`` has an index behind its alias (an empty one before any rebuild),
    so a single update never lets Elasticsearch invent a mapping."""
    es = conf.get_client()
    alias = conf.alias_name(kind_name)
    if es.indices.exists_alias(name=alias):
        return alias
    name = conf.new_index_name(kind_name)
    es.indices.create(index=name, **index_body())
    es.indices.update_aliases(actions=[{"add": {"index": name, "alias": alias}}])
    return alias


def update_object(kind_name: str, object_id) -> dict:
    plan = plan_update(kind_name, object_id)
    if get_kind(kind_name) is None:
        return {"indexed": 0, "deleted": 0}
    ensure_alias(kind_name)
    send(plan.actions())
    return {"indexed": len(plan.index), "deleted": len(plan.delete)}


def swap_actions(alias: str, new_index: str, old_indexes: Iterable[str]) -> list[dict]:
    """One atomic ``update_aliases`` call: the alias leaves the old indexes and joins the new one."""
    actions = [{"remove": {"index": old, "alias": alias}} for old in sorted(old_indexes)]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return actions


def rebuild_kind(kind: SearchKind, progress: Callable[[SearchKind, int, int], None] | None = None) -> int:
    """Index every searchable object of ``kind`` into a new index, then point the alias at it and
    drop the old index. Searches keep using the old index until the swap. Returns the count."""
    from elasticsearch import helpers

    es = conf.get_client()
    alias = conf.alias_name(kind.kind)
    new_index = conf.new_index_name(kind.kind)
    es.indices.create(index=new_index, **index_body())
    total = kind.live_queryset().count()
    done = 0
    if progress:
        progress(kind, done, total)
    try:
        batch = []
        for obj in kind.live_queryset().order_by("pk").iterator(chunk_size=BATCH_SIZE):
            batch.append(obj)
            if len(batch) >= BATCH_SIZE:
                done += _bulk_index(es, helpers, kind, batch, new_index)
                batch = []
                if progress:
                    progress(kind, done, total)
        if batch:
            done += _bulk_index(es, helpers, kind, batch, new_index)
        if progress:
            progress(kind, done, max(total, done))
        es.indices.refresh(index=new_index)
    except Exception:
        es.indices.delete(index=new_index, ignore_unavailable=True)
        raise
    old = list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    if not old and es.indices.exists(index=alias):
        # A concrete index squatting on the alias's name (indexed before any rebuild): replace it.
        es.indices.delete(index=alias)
    es.indices.update_aliases(actions=swap_actions(alias, new_index, old))
    for name in old:
        es.indices.delete(index=name, ignore_unavailable=True)
    return done


def _bulk_index(es, helpers, kind, objs, index_name) -> int:
    actions = [bulk_action(kind.kind, body, index=index_name) for body in document_bodies(kind, objs)]
    helpers.bulk(es, actions, refresh=False)
    return len(actions)


def rebuild(kinds: list[SearchKind] | None = None, progress=None) -> dict[str, int]:
    return {kind.kind: rebuild_kind(kind, progress) for kind in (kinds or all_kinds())}


def delete_indexes(prefix: str) -> None:
    """Drop every index whose name starts with ``prefix`` (the live tests' clean-up)."""
    es = conf.get_client()
    if not prefix:
        raise ValueError("refusing to delete every index")
    # Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name): name each one.
    for name in es.indices.get(index=f"{prefix}*", allow_no_indices=True, expand_wildcards="all"):
        es.indices.delete(index=name, ignore_unavailable=True)
