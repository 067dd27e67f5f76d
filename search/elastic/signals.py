"""Saves, publishes, unpublishes, moves, deletes and view restrictions of registered objects
enqueue ``tasks.update_document`` after the commit (never before: the worker must see the change,
and a rolled-back change must not reach the index). Nothing happens while Elasticsearch is off.

One change fires several signals (a publish saves the object too); each (kind, object) is
enqueued once per transaction.
"""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from search.registry import all_kinds, kinds_for_model

from . import conf
from .tasks import update_document


def _pending_keys() -> set:
    """Keys of the updates already waiting for this transaction's commit (and not yet run)."""
    return {
        getattr(func, "search_elastic_key", None)
        for _sids, func, _robust in getattr(connection, "run_on_commit", [])
        if not getattr(func, "search_elastic_ran", False)
    }


def schedule(kind: str, object_id) -> None:
    """Enqueue the update of one document after the commit (at once outside a transaction)."""
    if not conf.is_enabled() or object_id is None:
        return
    key = (kind, int(object_id))
    if connection.in_atomic_block and key in _pending_keys():
        return

    def enqueue():
        enqueue.search_elastic_ran = True
        update_document.enqueue(kind, key[1])

    enqueue.search_elastic_key = key
    transaction.on_commit(enqueue)


def _model_of(instance):
    """The specific model of ``instance`` (a base ``Page`` row knows its specific class)."""
    return getattr(instance, "specific_class", None) or type(instance)


def schedule_object(instance, with_translations: bool = False) -> None:
    for kind in kinds_for_model(_model_of(instance)):
        schedule(kind.kind, instance.pk)
        key = getattr(instance, "translation_key", None)
        if with_translations and key is not None:
            others = kind.model._default_manager.filter(translation_key=key).exclude(pk=instance.pk)
            for pk in others.values_list("pk", flat=True):
                schedule(kind.kind, pk)


def schedule_subtree(page) -> None:
    """Every registered page at or under ``page`` (a restriction or a move changes them all)."""
    if not conf.is_enabled():
        return
    rows = Page.objects.descendant_of(page, inclusive=True).values_list("pk", "content_type")
    from django.contrib.contenttypes.models import ContentType

    for pk, content_type_id in rows:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for kind in kinds_for_model(model):
            schedule(kind.kind, pk)


def on_save(sender, instance, raw=False, **kwargs):
    if raw or not conf.is_enabled():
        return
    schedule_object(instance)
    for kind in all_kinds():
        resolver = kind.depends_on.get(sender)
        if resolver is not None:
            for obj in resolver(instance):
                schedule_object(obj)


def on_publish_change(sender, instance, **kwargs):
    if conf.is_enabled():
        schedule_object(instance)


def on_delete(sender, instance, **kwargs):
    if not conf.is_enabled():
        return
    # Its translations' documents carry its text: they are re-indexed without it.
    schedule_object(instance, with_translations=True)
    for kind in all_kinds():
        resolver = kind.depends_on.get(sender)
        if resolver is not None:
            for obj in resolver(instance):
                schedule_object(obj)


def on_view_restriction_change(sender, instance, **kwargs):
    if not conf.is_enabled():
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        schedule_subtree(page)


def on_page_move(sender, instance, **kwargs):
    # The URLs of the page and everything under it changed.
    schedule_subtree(instance)


def connect():
    post_save.connect(on_save, dispatch_uid="search_elastic_on_save")
    post_delete.connect(on_delete, dispatch_uid="search_elastic_on_delete")
    page_published.connect(on_publish_change, dispatch_uid="search_elastic_page_published")
    page_unpublished.connect(on_publish_change, dispatch_uid="search_elastic_page_unpublished")
    published.connect(on_publish_change, dispatch_uid="search_elastic_published")
    unpublished.connect(on_publish_change, dispatch_uid="search_elastic_unpublished")
    post_page_move.connect(on_page_move, dispatch_uid="search_elastic_page_move")
    for signal, uid in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            on_view_restriction_change, sender=PageViewRestriction, dispatch_uid=f"search_elastic_vr_{uid}"
        )
