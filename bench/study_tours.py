"""Benchmark: the study-tour report (reports.study_tours) over generated group bookings.

For each database it builds a small town — 8 villages, 16 homestays with a room type each, 8
experiences with a slot every day of the year, a spot with an entry window every day, 4
programmes — then a year of accepted group quotes (and a third as many drafts and sent ones
that must not count), first 1,000 (the baseline, measured in the same run) then 10,000: 1-4
days, rooms, tours, an entry, meals each day and a coach, about 8 lines a quote. It times
``study_tour_rows`` grouped by month, village and programme over the year, with and without a
village filter (cache cleared before every run: the figures are cached), and the admin page
and its CSV export through Django's test client as a superuser: median and max, queries.

Not a test: nothing is asserted and ``make test`` does not run it. Usage (a minute or two per
database):

    .venv/bin/python bench/study_tours.py                       # SQLite, 1,000 and 10,000 quotes
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/study_tours.py

With ``BENCH_POSTGRES_URL`` set it also runs on that server, in a database named
``tianyuan_bench_study_tours`` created for the run and dropped after it.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import search as search_bench  # noqa: E402

POSTGRES_DATABASE = "tianyuan_bench_study_tours"
YEAR = 2026


def build_town():
    """Villages, homestays, experiences with daily slots, a spot's daily windows, programmes."""
    from django.utils import timezone

    from gates.models import EntryDay, EntryRule, EntryWindow
    from groups.models import StudyProgrammeIndexPage, StudyProgrammePage
    from tests.factories.attractions import (
        AttractionIndexPageFactory,
        AttractionPageFactory,
        ExperiencePageFactory,
    )
    from tests.factories.home import make_home_page
    from tests.factories.homestays import HomestayIndexPageFactory, HomestayPageFactory, RoomTypeFactory
    from tests.factories.town import VillageFactory

    home = make_home_page()
    villages = [VillageFactory(name=f"村{n}") for n in range(8)]
    homestays = HomestayIndexPageFactory(parent=home)
    rooms = [
        RoomTypeFactory(page=HomestayPageFactory(parent=homestays, village=villages[n % 8]), units=30)
        for n in range(16)
    ]
    attractions = AttractionIndexPageFactory(parent=home)
    points = [AttractionPageFactory(parent=attractions, village=v) for v in villages]
    experiences = [
        ExperiencePageFactory(parent=attractions, meeting_point=points[n % 8], schedules=[], capacity=200)
        for n in range(8)
    ]
    from attractions.models import TourSlot

    days = [datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n) for n in range(365)]
    zone = timezone.get_current_timezone()
    TourSlot.objects.bulk_create(
        TourSlot(
            experience=e,
            starts_at=datetime.datetime.combine(day, datetime.time(14), tzinfo=zone),
            ends_at=datetime.datetime.combine(day, datetime.time(16), tzinfo=zone),
            capacity=200,
        )
        for e in experiences
        for day in days
    )
    slots = {}
    for slot in TourSlot.objects.all():
        slots.setdefault(timezone.localdate(slot.starts_at), []).append(slot.pk)
    rule = EntryRule.objects.create(
        spot=points[0], opens_at=datetime.time(9), closes_at=datetime.time(12), per_window=500
    )
    entry_days = EntryDay.objects.bulk_create(EntryDay(rule=rule, date=day) for day in days)
    EntryWindow.objects.bulk_create(
        EntryWindow(
            rule=rule,
            day=d,
            starts_at=datetime.datetime.combine(d.date, datetime.time(10), tzinfo=zone),
            ends_at=datetime.datetime.combine(d.date, datetime.time(11), tzinfo=zone),
        )
        for d in entry_days
    )
    windows = {w.starts_at.astimezone(zone).date(): w.pk for w in EntryWindow.objects.all()}
    index = home.add_child(instance=StudyProgrammeIndexPage(title="研学课程", slug="study-tours"))
    programmes = [
        index.add_child(
            instance=StudyProgrammePage(
                title=f"研学课程{n}",
                slug=f"programme-{n}",
                learning_goals="<p>认识作物</p>",
                age_groups=["upper_primary"],
                duration_days=n + 1,
                price_per_pupil_day_fen=20000,
                village=villages[n * 2],
            )
        )
        for n in range(4)
    ]
    return {"rooms": [r.pk for r in rooms], "slots": slots, "windows": windows, "programmes": programmes}


def grow_to(town, size, rng, made):
    """Accepted quotes up to ``size`` (and a third as many that must not count)."""
    from groups.models import GroupEnquiry, Quote, QuoteLine, QuoteStatus

    started = time.monotonic()
    want = size - made
    statuses = [QuoteStatus.ACCEPTED] * want + [
        rng.choice([QuoteStatus.DRAFT, QuoteStatus.SENT]) for _i in range(want // 3)
    ]
    enquiries, plans = [], []
    for status in statuses:
        start = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(360))
        programme = rng.choice([*town["programmes"], None])
        days = programme.duration_days if programme else rng.randint(1, 3)
        pupils = rng.randint(15, 150)
        enquiries.append(
            GroupEnquiry(
                organisation="学校",
                kind="school",
                start_date=start,
                end_date=start + datetime.timedelta(days=days - 1),
                pupils=pupils,
                teachers=pupils // 10 + 1,
                programme=programme,
                contact_name="老师",
                contact_phone="+8613900000001",
            )
        )
        plans.append((status, start, days, pupils + pupils // 10 + 1))
    enquiries = GroupEnquiry.objects.bulk_create(enquiries, batch_size=2000)
    quotes = Quote.objects.bulk_create(
        [
            Quote(enquiry=e, valid_until=plan[1], status=plan[0])
            for e, plan in zip(enquiries, plans, strict=True)
        ],
        batch_size=2000,
    )
    lines = []
    for quote, (_status, start, days, people) in zip(quotes, plans, strict=True):
        if days > 1:
            lines.append(
                QuoteLine(
                    quote=quote,
                    kind="stay",
                    day=start,
                    room_type_id=rng.choice(town["rooms"]),
                    nights=days - 1,
                    quantity=min(30, people // 4 + 1),
                    unit_price_fen=24000,
                )
            )
        for slot in rng.sample(town["slots"][start], 2):
            lines.append(
                QuoteLine(
                    quote=quote,
                    kind="tour",
                    day=start,
                    tour_slot_id=slot,
                    quantity=people,
                    unit_price_fen=9800,
                )
            )
        lines.append(
            QuoteLine(
                quote=quote,
                kind="entry",
                day=start,
                entry_window_id=town["windows"][start],
                quantity=people,
                unit_price_fen=2000,
            )
        )
        for n in range(days):
            lines.append(
                QuoteLine(
                    quote=quote,
                    kind="meal",
                    day=start + datetime.timedelta(days=n),
                    description="餐",
                    quantity=people,
                    unit_price_fen=6000,
                )
            )
        lines.append(
            QuoteLine(
                quote=quote,
                kind="transport",
                day=start,
                description="大巴",
                quantity=1,
                unit_price_fen=260000,
            )
        )
    QuoteLine.objects.bulk_create(lines, batch_size=5000)
    return time.monotonic() - started, len(lines)


def cases(village_id):
    from reports import study_tours
    from reports.figures import Period

    year = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR + 1, 1, 1))
    return [
        (
            f"study_tour_rows by {group}{', one village' if village else ''}, year",
            lambda group=group, village=village: study_tours.study_tour_rows(
                year, village_id=village, group=group
            ),
        )
        for village in (None, village_id)
        for group in study_tours.GROUPINGS
    ]


def measure(fn, runs):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _i in range(runs):
        cache.clear()
        t0 = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - t0)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        result = fn()
    if hasattr(result, "status_code"):
        if result.streaming:
            b"".join(result.streaming_content)
        rows = result.status_code
    else:
        rows = len(result)
    return {
        "median": statistics.median(timings) * 1000,
        "max": max(timings) * 1000,
        "queries": len(queries),
        "rows": rows,
    }


def worker(database_url, sizes, runs):
    search_bench.setup_django(database_url)
    from django.test.utils import setup_test_environment

    setup_test_environment()
    search_bench.migrate()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tests.factories.accounts import SuperuserFactory
    from town.models import Village

    started = time.monotonic()
    town = build_town()
    print(f"  town built in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    client = Client()
    client.force_login(SuperuserFactory())
    village_id = Village.objects.order_by("pk").values_list("pk", flat=True)[1]
    rng = random.Random(18)
    rows, made = [], 0
    year = f"period_from={YEAR}-01-01&period_to={YEAR}-12-31"
    url = reverse("reports_study_tours")
    for size in sizes:
        built, lines = grow_to(town, size, rng, made)
        made = size
        print(
            f"  {size:,} accepted quotes ({lines:,} lines more) in {built:.1f} s", file=sys.stderr, flush=True
        )
        figures = {label: measure(fn, runs) for label, fn in cases(village_id)}
        for group in ("month", "village", "programme"):
            client.get(f"{url}?{year}&group={group}")  # warm: templates, the admin menu
            figures[f"admin page by {group}"] = measure(
                lambda group=group: client.get(f"{url}?{year}&group={group}"), min(runs, 3)
            )
        figures["admin CSV by village"] = measure(
            lambda: client.get(f"{url}?{year}&group=village&export=csv"), min(runs, 3)
        )
        rows.append({"size": size, "built": built, **figures})
    print(search_bench.RESULT_PREFIX + json.dumps({"vendor": connection.vendor, "rows": rows}), flush=True)


def drop_postgres(database_url):
    import psycopg

    admin = urlsplit(database_url)._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # no server: the worker said so already


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quotes", default="1000,10000", help="accepted quotes, ascending")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--worker", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.quotes.split(",") if s.strip()})
    if args.worker:
        if args.worker.startswith("postgres") and not search_bench.recreate_postgres(args.worker):
            return
        worker(args.worker, sizes, args.runs)
        return
    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-bench-study-tours-"))
    databases = []
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if name == "sqlite":
            databases.append((name, f"sqlite:///{tmp / 'bench.sqlite3'}"))
        elif os.environ.get("BENCH_POSTGRES_URL"):
            url = urlsplit(os.environ["BENCH_POSTGRES_URL"])._replace(path=f"/{POSTGRES_DATABASE}").geturl()
            databases.append((name, url))
        else:
            print("postgres: BENCH_POSTGRES_URL is not set; skipped.")
    options = ["--quotes", args.quotes, "--runs", str(args.runs)]
    for name, url in databases:
        result = search_bench.run_script_worker(__file__, name, url, options, args.timeout, stderr=None)
        if name == "postgres":
            drop_postgres(url)
        if not result:
            continue
        print(f"\n{name} ({result['wall']:.0f} s)")
        print(f"{'figure':<48} {'quotes':>7} {'median':>9} {'max':>9} {'queries':>7} {'rows':>5} {'×':>5}")
        base = result["rows"][0]
        for label in [k for k in base if k not in ("size", "built")]:
            for row in result["rows"]:
                m = row[label]
                ratio = m["median"] / base[label]["median"]
                print(
                    f"{label:<48} {row['size']:>7,} {m['median']:>7.1f}ms {m['max']:>7.1f}ms "
                    f"{m['queries']:>7} {m['rows']:>5} {ratio:>5.1f}"
                )
    for path in tmp.glob("*"):
        path.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
