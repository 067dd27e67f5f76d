"""The public calendar export of a room type (see ``calendar_sync``)."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from .calendar_sync import canonical_room_type, export_calendar
from .models import RoomType


@require_GET
def room_type_ical(request, token):
    room_type = RoomType.objects.select_related("page").filter(ical_token=token).first()
    if room_type is None:
        raise Http404
    calendar = export_calendar(canonical_room_type(room_type))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=room.ics"
    # The address is a secret: keep it out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
