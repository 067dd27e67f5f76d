"""Benchmark: the homestay availability search as the town grows, and reserve() under contention.

Builds 50, then 500, then 5,000 homestays (3 room types each, a year of rate rules, confirmed
stays on about a third of the nights) and after each size measures, for 2-night stays on random
dates in the coming year:

* the search page (``/homestays/?check_in=…&check_out=…&guests=2``), in the default order and
  with ``&sort=price``;
* the JSON API (``/api/v1/homestays/availability``, one page of 20), in both orders;
* ``orders.reservations.reserve`` with 8 threads booking the same room type at once.

Requests go through Django's test client, in process: p50, p95, req/s; "found" is the
results page's count, which stops at the search's cap (``homestays.selectors.COUNT_CAP``, 500).
It prints one table per database with each p95's ratio to the 50-homestay row, measured in the
same run, and whether the target of issue 21 holds (p95 at the largest size ≤ 2 × p95 at 50,
for the page and the API). Not a test: nothing is asserted and ``make test`` does not run it.
Usage (minutes per database):

    .venv/bin/python bench/availability.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/availability.py --databases sqlite --sizes 50,5000 --requests 20
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/other_db .venv/bin/python bench/availability.py

Each database runs in its own process (settings are per process): SQLite in a throwaway file
(no ANALYZE: the queries are written to be planned well without statistics), PostgreSQL in the
database named by ``BENCH_POSTGRES_URL`` (dropped and re-created, ANALYZEd after each bulk load
as autovacuum would; skipped with a note when the server does not answer). Rows are generated
with bulk inserts (page tree paths computed directly, as treebeard would), not by publishing
pages one by one, so 5,000 homestays take a minute or two rather than an hour.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

# The site's modules are imported inside the functions below, never at the top: each process
# first picks its database and settings and calls django.setup() (models need the app registry).
ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tianyuan_bench_availability"
)
TARGET_RATIO = 2.0
ROOM_TYPES_PER_HOMESTAY = 3
DAYS = 365
THREADS = 8
RESERVES_PER_THREAD = 5


def setup_django(database_url):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # page and task INFO lines; 404/500 logs would hide the table
    from django.test.utils import setup_test_environment

    setup_test_environment()


def migrate():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        # A throwaway file: skip the fsyncs while building it.
        options = connection.settings_dict["OPTIONS"]
        normal = options["init_command"]
        options["init_command"] = normal.replace("synchronous=NORMAL", "synchronous=OFF")
    call_command("migrate", verbosity=0)
    connection.close()


class Town:
    """Grows the bench data: an index page and N homestays with rooms, rules and stays."""

    def __init__(self, seed=1):
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import Locale, Site

        from homestays.models import HomestayIndexPage
        from orders.reservations import local_today

        self.rng = random.Random(seed)
        self.today = local_today()
        self.locale = Locale.get_default()
        root = Site.objects.get(is_default_site=True).root_page
        index = HomestayIndexPage.objects.filter(slug="homestays").first()
        if index is None:
            index = root.add_child(
                instance=HomestayIndexPage(title="民宿", slug="homestays", locale=self.locale)
            )
            index.save_revision().publish()
        self.index = HomestayIndexPage.objects.get(pk=index.pk)
        self.content_type = ContentType.objects.get_for_model(self.homestay_model())
        self.count = self.index.get_children().count()

    @staticmethod
    def homestay_model():
        from homestays.models import HomestayPage

        return HomestayPage

    def grow_to(self, size):
        from django.db import transaction

        if size <= self.count:
            return 0.0
        started = time.monotonic()
        with transaction.atomic():
            page_ids = self._pages(size - self.count)
            room_types = self._room_types(page_ids)
            self._rules(room_types)
            self._stays(room_types)
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        self.count = size
        return time.monotonic() - started

    def _pages(self, n):
        from django.db import connection
        from django.utils import timezone
        from wagtail.models import Page

        HomestayPage = self.homestay_model()
        parent = Page.objects.get(pk=self.index.pk)
        now = timezone.now()
        pages = []
        for i in range(self.count + 1, self.count + n + 1):
            slug = f"bench-{i}"
            pages.append(
                Page(
                    title=f"田园民宿 {i}",
                    draft_title=f"田园民宿 {i}",
                    slug=slug,
                    path=Page._get_path(parent.path, parent.depth + 1, i),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    content_type=self.content_type,
                    locale=self.locale,
                    translation_key=uuid.uuid4(),
                )
            )
        Page.objects.bulk_create(pages, batch_size=500)
        ids = list(
            Page.objects.filter(path__in=[p.path for p in pages])
            .order_by("path")
            .values_list("pk", flat=True)
        )
        # The page's own table: bulk_create refuses multi-table models, so insert its rows directly.
        rows = [HomestayPage(page_ptr_id=pk, summary="山里的安静民宿", address="青溪镇") for pk in ids]
        fields = list(HomestayPage._meta.local_concrete_fields)
        for start in range(0, len(rows), 500):
            HomestayPage._base_manager._insert(
                rows[start : start + 500], fields=fields, using=connection.alias
            )
        Page.objects.filter(pk=parent.pk).update(numchild=self.count + n)
        return ids

    def _room_types(self, page_ids):
        from homestays.models import RoomType, new_ical_token

        rooms = []
        for page_id in page_ids:
            for k in range(ROOM_TYPES_PER_HOMESTAY):
                base = self.rng.randrange(180, 881, 10) * 100
                rooms.append(
                    RoomType(
                        page_id=page_id,
                        sort_order=k,
                        locale=self.locale,
                        translation_key=uuid.uuid4(),
                        name=("大床房", "双床房", "家庭房")[k],
                        max_guests=(2, 2, 4)[k],
                        units=self.rng.choice((1, 1, 2, 3)),
                        base_price_fen=base,
                        weekend_price_fen=base + 8000,
                        ical_token=new_ical_token(),
                    )
                )
        return RoomType.objects.bulk_create(rooms, batch_size=500)

    def _rules(self, room_types):
        from homestays.models import RateRuleKind, RoomRateRule

        rules = []
        for rt in room_types:
            # A year of rates: a price per month (season), and a couple of closed nights.
            for month in range(12):
                first = self.today + timedelta(days=month * 30)
                rules.append(
                    RoomRateRule(
                        room_type_id=rt.pk,
                        kind=RateRuleKind.PRICE,
                        start_date=first,
                        end_date=first + timedelta(days=29),
                        price_fen=rt.base_price_fen + self.rng.randrange(-30, 60, 10) * 100,
                    )
                )
            closed = self.today + timedelta(days=self.rng.randrange(DAYS))
            rules.append(
                RoomRateRule(
                    room_type_id=rt.pk,
                    kind=RateRuleKind.CLOSED,
                    start_date=closed,
                    end_date=closed + timedelta(days=1),
                )
            )
        RoomRateRule.objects.bulk_create(rules, batch_size=2000)

    def _stays(self, room_types):
        from orders.models import Reservation, ReservationKind, ReservationStatus

        stays = []
        for rt in room_types:
            # One 3-night stay somewhere in every 9 nights: a third of the nights booked.
            for block in range(0, DAYS - 9, 9):
                start = self.today + timedelta(days=block + self.rng.randrange(6))
                stays.append(
                    Reservation(
                        kind=ReservationKind.STAY,
                        inventory_key=f"stay:{rt.pk}",
                        object_id=rt.pk,
                        quantity=1,
                        start_date=start,
                        end_date=start + timedelta(days=3),
                        status=ReservationStatus.CONFIRMED,
                    )
                )
        Reservation.objects.bulk_create(stays, batch_size=5000)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(fn, requests, budget):
    """Call ``fn`` up to ``requests`` times (at least 3) within ``budget`` seconds."""
    timings = []
    started = time.monotonic()
    while len(timings) < requests and (len(timings) < 3 or time.monotonic() - started < budget):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    total = sum(timings)
    return {
        "n": len(timings),
        "p50": statistics.median(timings) * 1000,
        "p95": percentile(timings, 0.95) * 1000,
        "rps": len(timings) / total if total else 0.0,
    }


def random_stay(rng, today):
    check_in = today + timedelta(days=rng.randrange(1, DAYS - 3))
    return check_in, check_in + timedelta(days=2)


def search_page(client, rng, today, results, extra=""):
    check_in, check_out = random_stay(rng, today)
    response = client.get(f"/homestays/?check_in={check_in}&check_out={check_out}&guests=2{extra}")
    if response.status_code != 200:
        raise RuntimeError(f"search page answered {response.status_code}")
    results.append(response.context["result_count"] if response.context else None)


def search_api(client, rng, today, results, extra=""):
    check_in, check_out = random_stay(rng, today)
    response = client.get(
        f"/api/v1/homestays/availability?check_in={check_in}&check_out={check_out}&guests=2{extra}"
    )
    if response.status_code != 200:
        raise RuntimeError(f"API answered {response.status_code}: {response.content[:200]!r}")
    results.append(response.json()["count"])


def reserve_contention(rng, today):
    """8 threads, each making RESERVES_PER_THREAD 2-night holds on one room type, all at once."""
    from django.db import connection

    from homestays.models import RoomType
    from orders.exceptions import ReservationError
    from orders.models import Reservation, ReservationKind
    from orders.reservations import Claim, cancel, reserve

    room = RoomType.objects.order_by("?").first()
    barrier = threading.Barrier(THREADS)
    timings, outcomes, lock = [], {"ok": 0, "refused": 0, "error": 0}, threading.Lock()
    made = []

    def worker(seed):
        local = random.Random(seed)
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            for _ in range(RESERVES_PER_THREAD):
                check_in, check_out = random_stay(local, today)
                t0 = time.perf_counter()
                try:
                    (held,) = reserve([Claim(ReservationKind.STAY, room.pk, 1, check_in, check_out)])
                    outcome = "ok"
                    made.append(held.pk)
                except ReservationError:
                    outcome = "refused"
                except Exception:
                    outcome = "error"
                elapsed = time.perf_counter() - t0
                with lock:
                    timings.append(elapsed)
                    outcomes[outcome] += 1
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(rng.random(),)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    wall = time.monotonic() - started
    cancel(made)  # leave the data as generated for the next size
    Reservation.objects.filter(pk__in=made).delete()
    return {
        "n": len(timings),
        "p50": statistics.median(timings) * 1000,
        "p95": percentile(timings, 0.95) * 1000,
        "rps": len(timings) / wall,
        "outcomes": outcomes,
    }


SCENARIOS = (
    ("page", search_page, ""),
    ("API", search_api, ""),
)
# Sorting by price computes every candidate's stay total in SQL (a correlated look at the price
# rules per night): correct, but it grows with the town. Measured only with --price.
PRICE_SCENARIOS = (
    ("page by price", search_page, "&sort=price"),
    ("API by price", search_api, "&sort=price"),
)


def run(database, sizes, requests, budget, keep, scenarios=SCENARIOS, reserve=True):
    """Build and measure on one database, in this process; print its table."""
    run_started = time.monotonic()
    db_path = None
    if database == "sqlite":
        if os.environ.get("DATABASE_URL", "").startswith("sqlite:///"):
            db_path = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
            Path(db_path).unlink(missing_ok=True)
        else:
            db_path = str(Path(tempfile.mkdtemp(prefix="tianyuan-bench-")) / "bench.sqlite3")
        url = f"sqlite:///{db_path}"
    else:
        # The search bench's fresh-database helper; bench/ is a package only from the repository.
        sys.path.insert(0, str(ROOT))
        from bench.search import recreate_postgres

        if not recreate_postgres(POSTGRES_URL):
            return
        url = POSTGRES_URL
    setup_django(url)
    migrate()
    print(f"{database}: migrated in {time.monotonic() - run_started:.1f} s", flush=True)

    from django.test import Client

    town = Town()
    client = Client()
    rng = random.Random(42)
    rows = []
    for size in sizes:
        built = town.grow_to(size)
        print(f"{database}: {size:>6} homestays built in {built:6.1f} s; measuring…", flush=True)
        row = {"size": size}
        for name, fn, extra in scenarios:
            counts = []
            fn(client, rng, town.today, [], extra)  # warm caches (templates, site, locale)
            row[name] = measure(
                lambda fn=fn, extra=extra, counts=counts: fn(client, rng, town.today, counts, extra),
                requests,
                budget,
            )
            row[name]["found"] = statistics.median(counts) if counts else 0
        row["reserve"] = reserve_contention(rng, town.today) if reserve else None
        rows.append(row)

    base = rows[0]
    print(f"\n{database}: p50 / p95 in ms, req/s, × = p95 relative to {base['size']} homestays")
    header = f"{'homestays':>9} {'found':>6} |"
    for name, _fn, _extra in scenarios:
        header += f" {name:>30} |"
    print(header + f" {'reserve p50/p95':>16}  outcomes")
    for row in rows:
        cells = f"{row['size']:>9} {row['page']['found']:>6.0f} |"
        for name, _fn, _extra in scenarios:
            m = row[name]
            ratio = m["p95"] / base[name]["p95"]
            cells += f" {m['p50']:>6.1f} /{m['p95']:>6.1f} {m['rps']:>6.1f}/s {ratio:>5.2f}× |"
        r = row["reserve"]
        print(cells + (f" {r['p50']:>7.1f} /{r['p95']:>6.1f}  {r['outcomes']}" if r else "  (not measured)"))
    last = rows[-1]
    for name, _fn, _extra in scenarios:
        ratio = last[name]["p95"] / base[name]["p95"]
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        print(
            f"{database}: {name}: p95 at {last['size']} = {last[name]['p95']:.1f} ms, "
            f"{ratio:.2f}× the {base['size']}-homestay p95 ({base[name]['p95']:.1f} ms): "
            f"target ≤ {TARGET_RATIO:.0f}× {verdict}"
        )
    print(
        f"(sequential requests through the in-process test client; n per cell ≤ {requests}, "
        f"≤ {budget:.0f} s; reserve: {THREADS} threads × {RESERVES_PER_THREAD} calls on one room "
        f"type.)  Total {time.monotonic() - run_started:.0f} s.",
        flush=True,
    )
    from django.db import connection

    connection.close()
    if db_path and not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(db_path + suffix).unlink(missing_ok=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--sizes", default="50,500,5000", help="homestay counts, ascending (default 50,500,5000)"
    )
    parser.add_argument("--requests", type=int, default=30, help="requests per measurement (default 30)")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds per measurement at most (default 20)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database file")
    parser.add_argument("--price", action="store_true", help="also measure sort=price (slow at 5,000)")
    parser.add_argument("--no-reserve", action="store_true", help="skip the reserve() contention")
    parser.add_argument("--only", help=argparse.SUPPRESS)  # one database, in a child process
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if args.only:
        scenarios = SCENARIOS + (PRICE_SCENARIOS if args.price else ())
        run(args.only, sizes, args.requests, args.budget, args.keep, scenarios, not args.no_reserve)
        return
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        # Settings are per process: each database in a child of its own.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--only",
                database,
                "--sizes",
                args.sizes,
                "--requests",
                str(args.requests),
                "--budget",
                str(args.budget),
                *(["--keep"] if args.keep else []),
                *(["--price"] if args.price else []),
                *(["--no-reserve"] if args.no_reserve else []),
            ],
            check=False,
        )


if __name__ == "__main__":
    main()
