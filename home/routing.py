"""Wagtail's page view with the site's home page in the visitor's language read in one query.

Wagtail routes from ``site.root_page.localized.specific``: in the default language that is one
query (the specific home page), in any other two (the translation as a plain ``Page``, then its
specific row), so every English page ran one query more than its Chinese twin (issue 21: the
homestay page with reviews went over the 12-query budget in English only). Here the translation
is read directly as its specific model; Wagtail's ``serve`` then finds the route already made
(``Page.route_for_request`` keeps it on the request) and does everything else as always.
"""

from django.conf import settings
from django.http import Http404
from wagtail import views as wagtail_views
from wagtail.models import Locale, Site


def localized_root(site):
    """The site's home page in the active language, specific; itself when it has no live
    translation (as Wagtail's ``Page.localized``)."""
    root = site.root_page
    model = root.specific_class or type(root)
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        try:
            locale = Locale.get_active()
        except (LookupError, Locale.DoesNotExist):
            locale = None
        if locale is not None and locale.pk != root.locale_id:
            translation = model.objects.filter(
                translation_key=root.translation_key, locale_id=locale.pk, live=True
            ).first()
            if translation is not None:
                return translation
    return root.specific


def serve(request, path):
    if not hasattr(request, "_wagtail_route_for_request"):
        site = Site.find_for_request(request)
        route = None
        if site is not None:
            try:
                route = localized_root(site).route(request, [part for part in path.split("/") if part])
            except Http404:
                route = None
        request._wagtail_route_for_request = route
    return wagtail_views.serve(request, path)
