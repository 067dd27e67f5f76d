"""Wagtail's page view, with the walk from the site's home page to the page remembered.

Wagtail routes every request from ``site.root_page.localized.specific``, one level of the tree at
a time: each level is a query for the child by its slug and another for its specific row, so
``/attractions/qingxi-gallery/`` cost the site, the locale, the home page and four page queries
before the page did anything of its own (the floor of every public page, issue 21).

Which page answers a path depends only on the page tree (slugs, live, moves, translations) and
the sites, and every change to those bumps the content version (``town.cache``). So the first
request for a path routes as Wagtail does, and this process remembers which page answered and
how much of the path it took (``town.cache.content_memo``); the next requests read that page
in one query, with the relations the walk had joined to it, and ask *that page* to route the
rest of the path: a plain page checks it is live and has nothing left, a routable page
(``RoutablePageMixin``: the shop's product addresses) resolves its own sub-path as before. Only
where the answer came from is remembered, never the page: its row is read fresh each time.

The home page in another language than the default is read as its specific model directly
(Wagtail reads the translation as a plain ``Page``, then its specific row), so an English page
runs no more queries than its Chinese twin.
"""

from django.conf import settings
from django.db.models import ForeignObject
from django.http import Http404
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Locale

from town.cache import content_memo
from town.sites import find_site
from town.translations import active_locale


def localized_root(site):
    """The site's home page in the active language, specific; itself when it has no live
    translation (as Wagtail's ``Page.localized``)."""
    root = site.root_page
    model = root.specific_class or type(root)
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        try:
            locale = active_locale()
        except Locale.DoesNotExist:
            locale = None
        if locale is not None and locale.pk != root.locale_id:
            translation = model.objects.filter(
                translation_key=root.translation_key, locale_id=locale.pk, live=True
            ).first()
            if translation is not None:
                return translation
    return root.specific


def _joined(page):
    """The forward relations already read with ``page`` (a parent's route may join them, as the
    homestay index joins the village), to read them the same way next time."""
    cached = page._state.fields_cache
    names = []
    for field in page._meta.concrete_fields:
        if isinstance(field, ForeignObject) and field.name in cached and not field.many_to_many:
            names.append(field.name)
    return tuple(names)


def _route_fully(request, site, components):
    """Wagtail's routing from the home page, and what to remember of it: (the page's model, its
    id, how many path parts led to it, the relations joined to it), or None."""
    root = localized_root(site)
    route = root.route(request, components)
    page = route[0]
    # Remembered only when the page answering is the one at that place in the tree (a route
    # may hand over to a page elsewhere: then it routes fully each time).
    prefix = root.url_path
    taken = [part for part in page.url_path[len(prefix) :].split("/") if part]
    if page.url_path.startswith(prefix) and taken == components[: len(taken)]:
        return route, (type(page), page.pk, len(taken), _joined(page))
    return route, None


def route_for_request(request, path):
    """The page (a ``RouteResult``) answering ``path`` on the request's site, or None."""
    site = find_site(request)
    if site is None:
        return None
    components = [part for part in path.split("/") if part]
    key = ("route", site.pk, translation.get_language(), "/".join(components))
    known = content_memo.get(key)
    try:
        if known is not None:
            model, pk, taken, joined = known
            try:
                # get(), not first(): no ORDER BY to build for the page's many columns.
                page = model.objects.select_related(*joined).get(pk=pk)
            except model.DoesNotExist:
                page = None  # gone without an edit the version saw (a raw delete): walk the tree
            if page is not None:
                return page.route(request, components[taken:])
        route, known = _route_fully(request, site, components)
    except Http404:
        return None
    if known is not None:
        content_memo.set(key, known)
    return route


def serve(request, path):
    if not hasattr(request, "_wagtail_route_for_request"):
        request._wagtail_route_for_request = route_for_request(request, path)
    return wagtail_views.serve(request, path)
