from django.http import HttpResponse


def events_ical(request):
    """Replaced by the events work: an iCalendar feed of the published events."""
    return HttpResponse("", content_type="text/calendar; charset=utf-8")
