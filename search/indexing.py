"""Keeps the database backend's ``SearchEntry`` rows in step with the registered kinds.

An object has an entry exactly while it is in its kind's ``queryset()`` (live, public, moderated).
Saves, publishes, unpublishes, deletes and view restrictions re-index the object synchronously,
inside the same transaction as the change, so the index can never show a state that was rolled
back. Each entry also carries the text of the object's translations (same ``translation_key``),
so "strawberry" finds the Chinese page of the strawberry tour and 草莓 the English one.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from town.page_cache import bump_stock

from .models import INDEX_STOCK, SearchEntry, SearchFacet
from .registry import SearchKind, all_kinds, kinds_for_model, normalise_facets
from .text import entry_text, index_text

logger = logging.getLogger(__name__)
SUMMARY_LENGTH = 300
BATCH_SIZE = 200


def database_backend_active() -> bool:
    return getattr(settings, "TIANYUAN_SEARCH_BACKEND", "database") == "database"


def plain(value) -> str:
    """Text of a string, rich text or StreamField value, without markup."""
    if value is None:
        return ""
    if hasattr(value, "stream_block"):
        return " ".join(str(t) for t in value.stream_block.get_searchable_content(value))
    return " ".join(strip_tags(str(value)).split())


def _language(obj) -> str:
    locale_id = getattr(obj, "locale_id", None)
    if locale_id is None:
        return ""
    return _locale_codes().get(locale_id, "")


def _locale_codes() -> dict[int, str]:
    return dict(Locale.objects.values_list("pk", "language_code"))


def _parts(kind: SearchKind, obj) -> list[str]:
    language = _language(obj) or settings.LANGUAGE_CODE
    with translation.override(language):
        return [plain(p) for p in kind.text(obj) if p]


def build_entries(kind: SearchKind, objs: list) -> list[tuple[SearchEntry, list[SearchFacet]]]:
    """Unsaved entries (with their facet rows) for ``objs``, each with its translations' text."""
    if not objs:
        return []
    codes = _locale_codes()
    content_type = ContentType.objects.get_for_model(kind.model)
    parts = {obj.pk: _parts(kind, obj) for obj in objs}
    # Translations: the other live objects of this kind sharing a translation key.
    siblings: dict = defaultdict(list)
    keys = {getattr(o, "translation_key", None) for o in objs} - {None}
    if keys:
        for other in kind.live_queryset().filter(translation_key__in=keys):
            siblings[other.translation_key].append(other)
    sibling_parts = {}
    for group in siblings.values():
        for other in group:
            if other.pk not in parts and other.pk not in sibling_parts:
                sibling_parts[other.pk] = _parts(kind, other)
    all_parts = {**sibling_parts, **parts}

    # The kind's name in every language ("民宿", "Homestays"): a search for the kind finds its items.
    kind_labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            kind_labels.append(str(kind.label))

    result = []
    for obj in objs:
        own = parts[obj.pk]
        if not own:
            continue
        others = [o for o in siblings.get(getattr(obj, "translation_key", None), []) if o.pk != obj.pk]
        titles = [own[0], *(all_parts[o.pk][0] for o in others if all_parts.get(o.pk))]
        texts = own[1:] + [t for o in others for t in all_parts.get(o.pk, [])[1:]] + kind_labels
        language = codes.get(getattr(obj, "locale_id", None), "")
        with translation.override(language or settings.LANGUAGE_CODE):
            raw_facets = kind.facets(obj) or {}
            facets = normalise_facets(raw_facets)
            location = kind.location(obj)
            village = facets.get("village", [])
            entry = SearchEntry(
                kind=kind.kind,
                content_type=content_type,
                object_pk=obj.pk,
                language=language,
                title=index_text(*titles, characters=kind.split_names),
                text=entry_text(titles, texts, characters=kind.split_names),
                name=own[0][:255],
                summary=(own[1] if len(own) > 1 else "")[:SUMMARY_LENGTH],
                url=kind.url(obj) or "",
                village=village[0].label[:100] if village else "",
                price_fen=raw_facets.get("price_fen"),
                latitude=float(location[0]) if location else None,
                longitude=float(location[1]) if location else None,
                image=kind.image(obj),
                order=kind.order,
            )
        rows = [
            SearchFacet(name=name, value=item.value[:100], label=str(item.label)[:200])
            for name, items in facets.items()
            for item in {i.value: i for i in items}.values()
        ]
        rows.append(SearchFacet(name="kind", value=kind.kind, label=str(kind.label)[:200]))
        result.append((entry, rows))
    return result


def _write(kind: SearchKind, objs: list, remove_ids=()) -> None:
    content_type = ContentType.objects.get_for_model(kind.model)
    built = build_entries(kind, objs)
    ids = {o.pk for o in objs} | set(remove_ids)
    with transaction.atomic():
        bump_stock(INDEX_STOCK)
        # modelsearch's post_delete handler drops each deleted row from the backend's index.
        SearchEntry.objects.filter(content_type=content_type, object_pk__in=ids).delete()
        entries = SearchEntry.objects.bulk_create([entry for entry, _rows in built])
        facet_rows = []
        for entry, (_e, rows) in zip(entries, built, strict=True):
            for row in rows:
                row.entry = entry
                facet_rows.append(row)
        SearchFacet.objects.bulk_create(facet_rows)
        if entries:
            get_search_backend().add_bulk(SearchEntry, entries)


def rebuild(kinds: list[SearchKind] | None = None, progress=None) -> int:
    """Re-create every entry of ``kinds`` (default: all). Returns the number of entries."""
    total = 0
    for kind in kinds or all_kinds():
        bump_stock(INDEX_STOCK)
        SearchEntry.objects.filter(kind=kind.kind).delete()
        batch = []
        for obj in kind.live_queryset().iterator(chunk_size=BATCH_SIZE):
            batch.append(obj)
            if len(batch) >= BATCH_SIZE:
                _write(kind, batch)
                total += len(batch)
                if progress:
                    progress(kind, total)
                batch = []
        if batch:
            _write(kind, batch)
            total += len(batch)
            if progress:
                progress(kind, total)
    return total


def _related_objects(kind: SearchKind, obj) -> list:
    """``obj`` (re-read from the kind's queryset) and its live translations."""
    key = getattr(obj, "translation_key", None)
    qs = kind.live_queryset()
    if key is not None:
        return list(qs.filter(translation_key=key))
    return list(qs.filter(pk=obj.pk))


def update_object(obj) -> None:
    """Re-index ``obj`` (and its translations) from the stored rows; removes it if no longer live."""
    if not database_backend_active():
        return
    model = type(obj)
    if getattr(obj, "specific_class", None) is not None and obj.specific_class is not model:
        model = obj.specific_class
    for kind in kinds_for_model(model):
        live = _related_objects(kind, obj)
        remove = set()
        key = getattr(obj, "translation_key", None)
        if key is not None:
            remove = set(kind.model._default_manager.filter(translation_key=key).values_list("pk", flat=True))
        _write(kind, live, remove_ids=remove | {obj.pk})


def remove_object(obj) -> None:
    if not database_backend_active():
        return
    model = getattr(obj, "specific_class", None) or type(obj)
    for kind in kinds_for_model(model):
        content_type = ContentType.objects.get_for_model(kind.model)
        bump_stock(INDEX_STOCK)
        SearchEntry.objects.filter(content_type=content_type, object_pk=obj.pk).delete()
        # Its translations lose this object's text.
        key = getattr(obj, "translation_key", None)
        if key is not None:
            others = list(kind.live_queryset().filter(translation_key=key).exclude(pk=obj.pk))
            if others:
                _write(kind, others)
