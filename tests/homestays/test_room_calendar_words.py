"""A homestay's full night reads "满房" (no rooms left); a tour's full day reads "已满" (the same
English word "Full", told apart by a translation context)."""

import datetime
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation


def test_a_full_night_in_the_room_calendar_reads_no_rooms_left():
    night = datetime.date(2027, 1, 20)
    room = SimpleNamespace(
        room_type=SimpleNamespace(pk=7),
        display=SimpleNamespace(name="山景房"),
        weeks=[[SimpleNamespace(date=night, state="full", price_fen=30000, available_units=0)]],
    )
    context = {"room": room, "month_start": night.replace(day=1), "weekday_names": ["一"], "today": night}
    with translation.override("zh-hans"):
        html = render_to_string("homestays/includes/room_calendar.html", context)
    assert '<span class="day-state">满房</span>' in html
    with translation.override("en"):
        html = render_to_string("homestays/includes/room_calendar.html", context)
    assert '<span class="day-state">Full</span>' in html
