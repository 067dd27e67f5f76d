from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Locale

from orders.inventory import canonical_id
from orders.views import add_to_basket

from .feeds import build_calendar, ical_response
from .inventory import TICKET
from .models import TicketType
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


def add_tickets(page, request):
    """The event page's "add to basket" form (POST only). Thin: ``orders.basket`` decides.

    Success: to the basket. Bad input: the event page again with the message, 422 (bad
    quantity, a ticket of another event) or 409 (sold out, sales closed)."""
    if request.method != "POST":
        return redirect(page.url)
    data = {
        "kind": TICKET,
        "ticket_type_id": request.POST.get("ticket_type_id", ""),
        "quantity": request.POST.get("quantity", ""),
    }
    ticket_type_id = data["ticket_type_id"].strip()
    # The English page's own ticket ids stand for the originals it shows.
    original = canonical_id(TICKET, int(ticket_type_id)) if ticket_type_id.isdigit() else None
    status, errors = 422, []
    if original is None or not TicketType.objects.canonical_for(page).filter(pk=original).exists():
        errors = [_("Please choose one of this event's tickets.")]
    else:
        refused = add_to_basket(request, data)
        if refused is None:
            return redirect("orders_basket")
        status, errors = refused.status, refused.messages
    response = page.render(request, context_overrides={"ticket_errors": errors})
    response.status_code = status
    return response
