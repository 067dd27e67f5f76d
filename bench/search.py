"""Benchmark: search over 10,000 generated documents on SQLite and on PostgreSQL.

For each database it generates documents across the kinds — homestays, experiences (tours),
attractions, events and farm products — first 1,000 (the baseline, measured in the same run),
then 10,000; after each size it runs the full rebuild (``manage.py search_rebuild``: Wagtail's
own index and every search kind's entries) and 20 representative queries through
``search.service.search`` — Chinese words, pinyin, spaced pinyin, initials, English, synonyms,
a partial word, facets, kinds and distance — and prints p50/p95 per database and size, with the
ratio of the 10,000-document figures to the 1,000-document ones.

Not a test: nothing is asserted and ``make test`` does not run it. Usage (a few minutes):

    .venv/bin/python bench/search.py                          # SQLite and PostgreSQL
    .venv/bin/python bench/search.py --databases sqlite --sizes 1000,10000 --repeat 5
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/other_db .venv/bin/python bench/search.py

Each database runs in its own process (settings are per process): SQLite in a throwaway file,
PostgreSQL in the database named by ``BENCH_POSTGRES_URL`` (dropped and re-created; skipped with
a note when the server does not answer). Rows are bulk-inserted (page tree paths computed as
treebeard would), so 10,000 documents take seconds; the rebuild then indexes them for real.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The site's modules are imported inside the functions below, never at the top: each process
# first picks its database and settings and calls django.setup() (models need the app registry).
ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/tianyuan_bench_search"
)
RESULT_PREFIX = "RESULT "

# Share of each kind in the generated documents.
MIX = (("homestay", 0.30), ("product", 0.30), ("experience", 0.15), ("event", 0.10), ("attraction", 0.15))
FRUITS = (
    ("草莓", "strawberry"),
    ("桃子", "peach"),
    ("葡萄", "grape"),
    ("蓝莓", "blueberry"),
    ("樱桃", "cherry"),
    ("猕猴桃", "kiwi"),
    ("杨梅", "bayberry"),
    ("柑橘", "orange"),
)
PLACES = ("山居", "溪畔", "竹林", "茶园", "古村", "花海", "梯田", "老宅", "湖畔", "松涛")
STAYS = ("民宿", "客栈", "农家乐", "小院")
FLOWERS = (("桃花", "peach blossom"), ("油菜花", "rapeseed"), ("荷花", "lotus"), ("菊花", "chrysanthemum"))
ACTIVITIES = (("采摘", "picking"), ("露营", "camping"), ("研学", "study tour"), ("徒步", "hiking"))
SIGHTS = ("古桥", "瀑布", "祠堂", "观景台", "古树")
VILLAGES = (
    ("桃花坞", "taohuawu", 29.62, 118.25),
    ("青溪村", "qingxi", 29.61, 118.26),
    ("茶山村", "chashan", 29.70, 118.40),
    ("石板街", "shibanjie", 29.612, 118.263),
    ("竹海村", "zhuhai", 29.55, 118.31),
    ("云上村", "yunshang", 29.66, 118.19),
)

# (label, request fields): what visitors type, in every flavour the search supports.
QUERIES = (
    ("zh word", {"q": "草莓"}),
    ("zh word", {"q": "桃花"}),
    ("zh word", {"q": "民宿"}),
    ("zh two words", {"q": "采摘 草莓"}),
    ("zh in a phrase", {"q": "茶园里的山居"}),
    ("zh word", {"q": "露营"}),
    ("pinyin", {"q": "caomei"}),
    ("pinyin", {"q": "taohua"}),
    ("spaced pinyin", {"q": "tao hua"}),
    ("initials", {"q": "cm"}),
    ("english", {"q": "strawberry"}),
    ("english", {"q": "camping"}),
    ("synonym", {"q": "农家乐"}),
    ("synonym", {"q": "picking"}),
    ("partial word", {"q": "straw"}),
    ("facet village", {"q": "民宿", "facets": {"village": ["taohuawu"]}}),
    ("facet price", {"q": "草莓", "facets": {"price": ["0-100"]}}),
    ("kind", {"q": "桃花", "kinds": ["event"]}),
    ("facet season", {"q": "葡萄", "facets": {"in_season": ["8"]}}),
    ("near", {"q": "民宿", "near": (29.62, 118.25, 5.0)}),
)


# -- the worker: one database, in its own process -----------------------------------------------


def setup_django(database_url):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("ELASTICSEARCH_URL", None)
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # task and page INFO lines would bury the figures


def recreate_postgres(database_url):
    """Drop and create the bench database; False when no server answers."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not available ({error}); skipped.", file=sys.stderr)
        return False
    return True


def migrate():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        options = connection.settings_dict["OPTIONS"]
        options["init_command"] = options["init_command"].replace("synchronous=NORMAL", "synchronous=OFF")
    call_command("migrate", verbosity=0)
    connection.close()


class Town:
    """Grows the bench documents: villages, producers, and pages/products of every kind."""

    def __init__(self, seed=1):
        from wagtail.models import Locale, Site

        self.rng = random.Random(seed)
        self.locale = Locale.get_default()
        self.root = Site.objects.get(is_default_site=True).root_page
        self.counts = {kind: 0 for kind, _share in MIX}
        self.serial = self.root.get_children().count()
        self.villages = self._villages()
        self.producers = self._producers()
        self.pages = {}

    def _villages(self):
        from town.models import Village

        made = []
        for name, slug, lat, lon in VILLAGES:
            village, _created = Village.objects.get_or_create(
                slug=slug,
                locale=self.locale,
                defaults={
                    "name": name,
                    "latitude": lat,
                    "longitude": lon,
                    "description": f"{name}，山水之间。",
                },
            )
            made.append(village)
        return made

    def _producers(self):
        from accounts.models import User
        from products.models import Producer, ProducerStatus

        producers = []
        for n in range(20):
            user = User.objects.create(email=f"bench-farmer{n}@example.com")
            producers.append(
                Producer.objects.create(
                    user=user,
                    display_name=f"农户{n}",
                    village=self.villages[n % len(self.villages)],
                    phone="+86 139 0000 0000",
                    status=ProducerStatus.VERIFIED,
                )
            )
        return producers

    @property
    def total(self):
        return sum(self.counts.values())

    def grow_to(self, size):
        from django.db import transaction

        started = time.monotonic()
        with transaction.atomic():
            for kind, share in MIX:
                wanted = round(size * share) - self.counts[kind]
                if wanted > 0:
                    getattr(self, f"_add_{kind}")(wanted)
                    self.counts[kind] += wanted
        return time.monotonic() - started

    # Pages: bulk-inserted under the site root, as availability.py does for homestays.

    def _insert_pages(self, model, specifics):
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection
        from django.utils import timezone
        from wagtail.models import Page

        parent = Page.objects.get(pk=self.root.pk)
        content_type = ContentType.objects.get_for_model(model)
        now = timezone.now()
        pages = []
        for fields in specifics:
            self.serial += 1
            slug = f"bench-{self.serial}"
            pages.append(
                Page(
                    title=fields["title"],
                    draft_title=fields["title"],
                    slug=slug,
                    path=Page._get_path(parent.path, parent.depth + 1, self.serial),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    content_type=content_type,
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
        rows = []
        for pk, fields in zip(ids, specifics, strict=True):
            data = {k: v for k, v in fields.items() if k != "title"}
            rows.append(model(page_ptr_id=pk, **data))
        local = list(model._meta.local_concrete_fields)
        for start in range(0, len(rows), 500):
            model._base_manager._insert(rows[start : start + 500], fields=local, using=connection.alias)
        Page.objects.filter(pk=parent.pk).update(numchild=self.serial)
        return ids

    def _village(self):
        return self.rng.choice(self.villages)

    def _add_homestay(self, n):
        from homestays.models import HomestayPage, RoomType, new_ical_token

        specifics = []
        for i in range(n):
            village = self._village()
            fruit, fruit_en = self.rng.choice(FRUITS)
            place = self.rng.choice(PLACES)
            specifics.append(
                {
                    "title": f"{place}{self.rng.choice(STAYS)} {self.counts['homestay'] + i + 1}",
                    "summary": f"{village.name}的安静住处，走路五分钟到{fruit}园（{fruit_en} farm）。",
                    "address": f"{village.name} {i + 1} 号",
                    "village_id": village.pk,
                    "latitude": round(float(village.latitude) + self.rng.uniform(-0.03, 0.03), 6),
                    "longitude": round(float(village.longitude) + self.rng.uniform(-0.03, 0.03), 6),
                }
            )
        ids = self._insert_pages(HomestayPage, specifics)
        RoomType.objects.bulk_create(
            [
                RoomType(
                    page_id=pk,
                    sort_order=0,
                    locale=self.locale,
                    translation_key=uuid.uuid4(),
                    name=self.rng.choice(("大床房", "双床房", "家庭房")),
                    max_guests=2,
                    units=1,
                    base_price_fen=self.rng.randrange(80, 900, 10) * 100,
                    ical_token=new_ical_token(),
                )
                for pk in ids
            ],
            batch_size=1000,
        )

    def _add_experience(self, n):
        from attractions.models import ExperiencePage

        specifics = []
        for i in range(n):
            activity, activity_en = self.rng.choice(ACTIVITIES)
            fruit, fruit_en = self.rng.choice(FRUITS)
            title = f"{fruit}{activity}" if activity == "采摘" else f"{self._village().name}{activity}"
            specifics.append(
                {
                    "title": f"{title} {self.counts['experience'] + i + 1}",
                    "kind": {"采摘": "picking", "露营": "camping", "研学": "study", "徒步": "hiking"}.get(
                        activity, "picking"
                    ),
                    "intro": f"在{self._village().name}亲手{activity}：{fruit_en} {activity_en}。",
                    "village_id": self._village().pk,
                    "price_adult_fen": self.rng.randrange(30, 300, 10) * 100,
                    "duration_minutes": 120,
                    "capacity": 10,
                }
            )
        self._insert_pages(ExperiencePage, specifics)

    def _add_attraction(self, n):
        from attractions.models import AttractionCategory, AttractionPage

        specifics = []
        for i in range(n):
            village = self._village()
            specifics.append(
                {
                    "title": f"{village.name}{self.rng.choice(SIGHTS)} {self.counts['attraction'] + i + 1}",
                    "category": self.rng.choice(AttractionCategory.values),
                    "intro": f"{village.name}的{self.rng.choice(PLACES)}，四季皆宜。",
                    "village_id": village.pk,
                    "latitude": float(village.latitude),
                    "longitude": float(village.longitude),
                }
            )
        self._insert_pages(AttractionPage, specifics)

    def _add_event(self, n):
        import datetime

        from django.utils import timezone

        from events.models import EventPage

        specifics = []
        base = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
        for i in range(n):
            flower, flower_en = self.rng.choice(FLOWERS)
            start = base + datetime.timedelta(days=self.rng.randrange(365))
            specifics.append(
                {
                    "title": f"{self._village().name}{flower}节 {self.counts['event'] + i + 1}",
                    "intro": f"{flower}盛开的季节（{flower_en} festival），有市集和演出。",
                    "organiser": "青溪镇旅游办",
                    "start": start,
                    "end": start + datetime.timedelta(days=self.rng.randrange(1, 5)),
                }
            )
        self._insert_pages(EventPage, specifics)

    def _add_product(self, n):
        from products.models import Product, ProductCategory

        products = []
        for i in range(n):
            producer = self.rng.choice(self.producers)
            if self.rng.random() < 0.7:
                fruit, fruit_en = self.rng.choice(FRUITS)
                name, category = (
                    f"{self.rng.choice(('奶油', '高山', '有机', '新鲜'))}{fruit}",
                    ProductCategory.FRUIT,
                )
                description = f"{producer.village.name}的{fruit}，{fruit_en}，当天采摘。"
            else:
                name, category = self.rng.choice(
                    (("明前龙井", "tea"), ("土鸡蛋", "meat_eggs"), ("米酒", "processed"))
                )
                description = "山里的土特产。"
            start = self.rng.randrange(1, 13)
            products.append(
                Product(
                    producer=producer,
                    name=f"{name} {self.counts['product'] + i + 1}",
                    category=category,
                    description=description,
                    price_fen=self.rng.randrange(10, 400, 5) * 100,
                    stock=50,
                    months_in_season=sorted({(start + k - 1) % 12 + 1 for k in range(3)}),
                    origin_village=producer.village,
                    live=True,
                    locale=self.locale,
                    translation_key=uuid.uuid4(),
                )
            )
        Product.objects.bulk_create(products, batch_size=1000)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def run_queries(repeat, budget):
    """Each query once to warm up, then ``repeat`` timed runs (fewer once ``budget`` seconds
    are spent on it, but at least one)."""
    from search.service import SearchRequest, search

    timings, per_query, hits = [], [], []
    for label, fields in QUERIES:
        search(SearchRequest(**fields))  # warm: synonyms cached, statements prepared
        own, started = [], time.monotonic()
        while len(own) < repeat and (not own or time.monotonic() - started < budget):
            t0 = time.perf_counter()
            results = search(SearchRequest(**fields))
            own.append(time.perf_counter() - t0)
        timings.extend(own)
        per_query.append({"label": label, "q": fields["q"], "p50": statistics.median(own) * 1000})
        hits.append(results.total)
    return {
        "p50": statistics.median(timings) * 1000,
        "p95": percentile(timings, 0.95) * 1000,
        "n": len(timings),
        "per_query": per_query,
        "totals": hits,
    }


def worker(database_url, sizes, repeat, budget):
    setup_django(database_url)
    migrate()
    from django.core.management import call_command
    from django.db import connection

    from search.models import SearchEntry
    from search.text import index_text

    index_text("草莓 预热")  # jieba loads its dictionary once per process: not part of any figure
    town = Town()
    rows = []
    for size in sizes:
        built = town.grow_to(size)
        started = time.monotonic()
        call_command("search_rebuild", "--no-progress", stdout=open(os.devnull, "w"))  # noqa: SIM115
        rebuild = time.monotonic() - started
        measured = run_queries(repeat, budget)
        rows.append(
            {
                "size": town.total,
                "entries": SearchEntry.objects.count(),
                "built": built,
                "rebuild": rebuild,
                **measured,
            }
        )
    print(RESULT_PREFIX + json.dumps({"vendor": connection.vendor, "rows": rows}), flush=True)


# -- the driver ------------------------------------------------------------------------------


def run_script_worker(script, name, database_url, options, timeout, stderr=subprocess.PIPE):
    """Run ``script --worker DATABASE_URL *options`` in a fresh process (Django is set up once per
    process, for one database) and return the result it prints, or None."""
    command = [sys.executable, script, "--worker", database_url, *options]
    started = time.monotonic()
    proc = subprocess.run(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=timeout
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
            result["wall"] = time.monotonic() - started
            return result
    output = proc.stderr or proc.stdout
    print(f"{name}: no result (exit {proc.returncode})\n{output[-3000:]}", file=sys.stderr)
    return None


def run_worker(name, database_url, args):
    options = ["--sizes", args.sizes, "--repeat", str(args.repeat), "--budget", str(args.budget)]
    return run_script_worker(__file__, name, database_url, options, args.timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument(
        "--sizes", default="1000,10000", help="document counts, ascending (default 1000,10000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (default 5)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per query at most (default 10)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per database at most")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--worker", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})

    if args.worker:
        if args.worker.startswith("postgres") and not recreate_postgres(args.worker):
            return
        worker(args.worker, sizes, args.repeat, args.budget)
        return

    started = time.monotonic()
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-bench-search-"))
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        url = f"sqlite:///{tmp / 'bench.sqlite3'}" if name == "sqlite" else POSTGRES_URL
        print(
            f"{name}: generating {', '.join(f'{s:,}' for s in sizes)} documents, rebuilding, querying…",
            flush=True,
        )
        result = run_worker(name, url, args)
        if result:
            results[name] = result
    if not args.keep:
        for path in tmp.glob("*"):
            path.unlink()
        tmp.rmdir()

    print()
    print(
        f"{'database':<10} {'documents':>9} {'entries':>8} {'rebuild':>9} {'×':>5} | "
        f"{'p50':>8} {'p95':>8} {'× p50':>6} {'× p95':>6}  (n)"
    )
    for name, result in results.items():
        base = result["rows"][0]
        for row in result["rows"]:
            print(
                f"{name:<10} {row['size']:>9,} {row['entries']:>8,} {row['rebuild']:>8.1f}s "
                f"{row['rebuild'] / base['rebuild']:>5.1f} | {row['p50']:>6.1f}ms {row['p95']:>6.1f}ms "
                f"{row['p50'] / base['p50']:>6.1f} {row['p95'] / base['p95']:>6.1f}  ({row['n']})"
            )
    for name, result in results.items():
        last = result["rows"][-1]
        print(f"\n{name}, {last['size']:,} documents — p50 per query (results found):")
        for query, total in zip(last["per_query"], last["totals"], strict=True):
            print(f"  {query['label']:<15} {query['q']:<12} {query['p50']:>7.1f} ms  ({total:,})")
    print(
        f"\n(× = relative to {sizes[0]:,} documents, measured in the same run; p50/p95 over "
        f"{len(QUERIES)} queries × ≤ {args.repeat} runs (≤ {args.budget:.0f} s each) through "
        f"search.service.search; rebuild = "
        f"`manage.py search_rebuild`, Wagtail's index and every kind.)  "
        f"Total {time.monotonic() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
