"""Keeps the database index current: saves, publishes, unpublishes, deletes and view restrictions
of registered models re-index the object (see ``search.indexing``)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction

from . import indexing, synonyms
from .models import SearchSynonym
from .registry import all_kinds, kinds_for_model

# Inside ``deferred_indexing()``: the objects saved so far, by (model, pk), indexed once at the end.
_deferred: ContextVar[dict | None] = ContextVar("sitesearch_deferred", default=None)


@contextmanager
def deferred_indexing():
    """Index each object saved in the block once, when the block ends without an error.

    A bulk load (``load_demo``) saves a page many times over (create, revisions, publish,
    translations); indexing it on every save cost most of the load. Deletions stay immediate.
    """
    pending = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for model, pk in pending:
        obj = model._default_manager.filter(pk=pk).first()
        if obj is not None:
            indexing.update_object(obj)


def _update(obj):
    pending = _deferred.get()
    if pending is None:
        indexing.update_object(obj)
    else:
        model = obj.specific_class if isinstance(obj, Page) and obj.specific_class else type(obj)
        pending[(model, obj.pk)] = True


def _registered(model) -> bool:
    return bool(kinds_for_model(model))


def on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if _registered(sender) or (sender is Page and _registered(instance.specific_class)):
        _update(instance)
    for kind in all_kinds():
        resolver = kind.depends_on.get(sender)
        if resolver is not None:
            for obj in resolver(instance):
                _update(obj)


def on_delete(sender, instance, **kwargs):
    if _registered(sender) or (sender is Page and _registered(instance.specific_class or Page)):
        indexing.remove_object(instance)


def on_view_restriction_change(sender, instance, **kwargs):
    """A restriction hides a whole subtree: re-index the registered pages under it."""
    if not indexing.database_backend_active():
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is None:
        return
    for descendant in Page.objects.descendant_of(page, inclusive=True).specific():
        if _registered(type(descendant)):
            indexing.update_object(descendant)


def connect():
    post_save.connect(on_save, dispatch_uid="sitesearch_on_save")
    post_delete.connect(on_delete, dispatch_uid="sitesearch_on_delete")
    post_save.connect(
        on_view_restriction_change, sender=PageViewRestriction, dispatch_uid="sitesearch_vr_save"
    )
    post_delete.connect(
        on_view_restriction_change, sender=PageViewRestriction, dispatch_uid="sitesearch_vr_delete"
    )
    post_save.connect(synonyms.clear_cache, sender=SearchSynonym, dispatch_uid="sitesearch_syn_save")
    post_delete.connect(synonyms.clear_cache, sender=SearchSynonym, dispatch_uid="sitesearch_syn_delete")


def disconnect():
    """The opposite of ``connect`` (the tests switch the index off where no test searches)."""
    post_save.disconnect(dispatch_uid="sitesearch_on_save")
    post_delete.disconnect(dispatch_uid="sitesearch_on_delete")
    post_save.disconnect(sender=PageViewRestriction, dispatch_uid="sitesearch_vr_save")
    post_delete.disconnect(sender=PageViewRestriction, dispatch_uid="sitesearch_vr_delete")
    post_save.disconnect(sender=SearchSynonym, dispatch_uid="sitesearch_syn_save")
    post_delete.disconnect(sender=SearchSynonym, dispatch_uid="sitesearch_syn_delete")
