from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Locale

from .feeds import build_calendar, ical_response
from .selectors import feed_events


@require_safe
def events_ical(request):
    """The published events as iCalendar: Chinese by default, ``?lang=en`` for the English pages."""
    language = request.GET.get("lang") or settings.LANGUAGE_CODE
    known = language in dict(settings.LANGUAGES)
    locale = Locale.objects.filter(language_code=language).first() if known else None
    if locale is None:
        choices = ", ".join(code for code, _name in settings.LANGUAGES)
        message = _("Unknown language “%(lang)s”; use one of: %(choices)s.")
        return HttpResponseBadRequest(
            message % {"lang": language, "choices": choices},
            content_type="text/plain; charset=utf-8",
        )
    with translation.override(language):
        calendar = build_calendar(feed_events(locale), request=request)
    return ical_response(calendar, "tianyuan-events.ics")
