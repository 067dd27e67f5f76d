"""Demo steps for the events index and the four yearly festivals, always dated ahead of today."""

import datetime

from django.utils import timezone

from events.models import EventIndexPage, EventPage
from town.demo.base import upsert_page

from . import content

# Festivals open in the morning and close in the evening, town time.
OPENS, CLOSES = datetime.time(9, 0), datetime.time(21, 0)


def _aware(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time), timezone.get_default_timezone())


def load_event_index(ctx):
    words = content.INDEXES["events"]

    def fill(page, lang):
        page.title = words["title"][lang]
        page.intro = f"<p>{words['intro'][lang]}</p>"
        page.show_in_menus = True

    upsert_page(ctx, ctx.page("home"), EventIndexPage, "events", fill)


def load_events(ctx):
    index = ctx.page("events")
    for item in content.EVENTS:
        first_day, last_day = content.next_occurrence(ctx.today, item["month"], item["day"], item["days"])
        image = ctx.image(f"event-{item['slug']}", item["theme"], item["title"])

        def fill(page, lang, item=item, image=image, first_day=first_day, last_day=last_day):
            page.title = item["title"][lang]
            page.start = _aware(first_day, OPENS)
            page.end = _aware(last_day, CLOSES)
            page.venue = ctx.page(item["venue_attraction"], lang)
            page.organiser = item["organiser"][lang]
            page.intro = item["intro"][lang]
            page.search_description = item["intro"][lang]
            page.image = image
            page.body = [
                {"type": "paragraph", "value": item["body"][lang]},
                {
                    "type": "paragraph",
                    "value": f"<p><b>{content.VENUE_LABEL[lang]}</b>{item['venue'][lang]}</p>",
                },
            ]
            page.programme = [
                {
                    "type": "item",
                    "value": {
                        "day": (first_day + datetime.timedelta(days=offset)).isoformat(),
                        "start_time": f"{start}:00",
                        "end_time": None,
                        "title": title[lang],
                        "place": item["venue"][lang],
                        "description": "",
                    },
                }
                for offset, start, title in item["programme"]
            ]

        upsert_page(ctx, index, EventPage, item["slug"], fill)
    ctx.log(f"  events: {len(content.EVENTS)}")
