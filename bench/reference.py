"""Side by side: Tianyuan's rendered pages against a reference Wagtail site (bakerydemo), same run.

    .venv/bin/python bench/reference.py --reference-url http://127.0.0.1:8100
                                        [--duration 5] [--rounds 3] [--connections 4] [--md FILE]
    make bench-reference REFERENCE_URL=http://127.0.0.1:8100

Issue #21: no uncached page type below 2x bakerydemo's equivalent, both on SQLite with
production settings, gunicorn with 2 sync workers, load over loopback. Tianyuan is built and
started as bench/pages.py does (a throwaway SQLite demo town, production settings, gunicorn 2
sync workers; its functions are imported, not copied), with the full-page cache off
(PAGE_CACHE_ENABLED=0) so that every request renders; fragment caches stay on, as bakerydemo
keeps its own (locmem) caches. Each Tianyuan page and its reference equivalent are measured
next to each other with bench/loadgen.py, in rounds, the order swapped every round, so a burst
of load from elsewhere on the machine falls on both. The table gives each side's median req/s
over the rounds, the ratio of the medians (Tianyuan / reference; above 1, Tianyuan is faster)
and the lowest and highest of the per-round ratios; pages under ``--target`` (2.0) are listed.
Also, in-process, warm and single-threaded: Tianyuan's median ms and SQL queries per rendered
page (the reference runs in its own virtualenv, so it is only measured over HTTP).

The reference is NOT part of this repository and this script does not install it: start it
yourself, outside the repo, e.g. (bakerydemo's current commit needs Django 6, so Python 3.12):

    git clone https://github.com/wagtail/bakerydemo /work/bakery && cd /work/bakery
    python3.12 -m venv .venv && .venv/bin/pip install -r requirements.txt gunicorn
    export DJANGO_SETTINGS_MODULE=bakerydemo.settings.production DJANGO_SECRET_KEY=<random>
    export DATABASE_URL=sqlite:///$PWD/bench.sqlite3 DJANGO_ALLOWED_HOSTS=127.0.0.1
    export SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 DJANGO_LOG_LEVEL=WARNING
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_initial_data
    .venv/bin/python manage.py collectstatic --noinput
    .venv/bin/gunicorn bakerydemo.wsgi --workers 2 --worker-class sync --bind 127.0.0.1:8100
    # then GET each page a few times, so its image renditions exist before measuring

Reference paths: ``/``, ``/breads/``, ``/blog/``, the first bread and blog post linked from those
indexes, ``/search/?q=bread`` and ``/static/css/main.css`` (``--reference-static``).

Measured, never asserted: not a test, ``make test`` does not run it. About 15 minutes with the
defaults on a 2-core machine. Everything it creates for Tianyuan is removed at the end.
"""

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

# bench/ is the script's own folder, so its sibling modules import by name.
import pages
from loadgen import measure

REFERENCE_STATIC = "/static/css/main.css"
REFERENCE_SEARCH = "/search/?q=bread"
# Issue #21, read literally: every rendered page type at 2x the reference's req/s or more.
TARGET = 2.0
IN_PROCESS_REQUESTS = 10

# Tianyuan page (a name bench/pages.py's find_paths() gives, or one added here) -> reference
# paths; "bread" and "post" are the first detail pages the reference's indexes link to.
PAIRS = [
    ("home", ["/"]),
    ("attractions index", ["/breads/", "/blog/"]),
    ("homestays index", ["/breads/"]),
    ("shop", ["/breads/"]),
    ("study-tours index", ["/breads/"]),
    ("events index", ["/blog/"]),
    ("attraction", ["bread", "post"]),
    ("homestay", ["bread", "post"]),
    ("product", ["bread", "post"]),
    ("tour", ["bread", "post"]),
    ("live session", ["bread", "post"]),
    ("event", ["bread", "post"]),
    ("search 草莓", [REFERENCE_SEARCH]),
    ("search strawberry", [REFERENCE_SEARCH]),
    ("static file", ["static"]),
]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8", "replace")


def reference_paths(reference_url, static):
    """The reference's paths by kind; its detail pages are the first its indexes link to."""
    try:
        status = fetch(reference_url + "/")[0]
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise pages.BenchError(f"the reference site does not answer at {reference_url}: {error}") from error
    if status != 200:
        raise pages.BenchError(f"the reference site answers {status} at {reference_url}/")
    found = {"static": static}
    for kind, index in (("bread", "/breads/"), ("post", "/blog/")):
        html = fetch(reference_url + index)[1]
        links = re.findall(rf'href="({re.escape(index)}[^/"?#]+/)"', html)
        if not links:
            raise pages.BenchError(f"no detail page linked from the reference's {index}")
        found[kind] = links[0]
    return found


def tianyuan_paths():
    """{name: path} of the demo town's pages (runs in-process, after set-up)."""
    from django.apps import apps
    from django.db.models import Count

    found = dict(pages.find_paths())

    index = (
        apps.get_model("groups", "StudyProgrammeIndexPage")
        .objects.live()
        .filter(locale__language_code="zh-hans")
        .order_by("path")
        .first()
    )
    if index is not None:
        found["study-tours index"] = index.get_url_parts()[2]
    # The session with the most products pinned: the fullest such page.
    session = (
        apps.get_model("live", "LiveSession")
        .objects.public()
        .annotate(pinned=Count("pins"))
        .order_by("-pinned", "pk")
        .first()
    )
    if session is not None:
        found["live session"] = session.get_absolute_url()
    found["search strawberry"] = "/search/?q=strawberry"
    found["static file"] = pages.BASELINE
    return found


def in_process(paths):
    """{path: (status, median ms, SQL queries)} of a warm render, one request at a time."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if settings.PAGE_CACHE_ENABLED:
        raise pages.BenchError("the page cache is on in-process: PAGE_CACHE_ENABLED=0 did not reach settings")
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    results = {}
    for path in paths:
        if path.startswith("/static/"):
            continue  # WhiteNoise answers it before Django, in gunicorn only
        client.get(path)  # cold: renditions, fragment caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        count = len(queries.captured_queries)  # now: the next request's start empties the log
        times = []
        for _ in range(IN_PROCESS_REQUESTS):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        results[path] = (response.status_code, statistics.median(times), count)
    return results


def warm(base, path, times=4):
    for _ in range(times):  # both gunicorn workers render it once before any timing
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            urllib.request.urlopen(base + quote(path, safe="/?&=%:+;,"), timeout=30).read()


def run_rounds(base, reference_url, pairs, args):
    """[(name, path, ref_path, [tianyuan rows], [reference rows])]: each pair measured back to
    back, Tianyuan first in even rounds and the reference first in odd ones."""
    results = [(name, path, ref, [], []) for name, path, ref in pairs]
    for number in range(args.rounds):
        print(f"  round {number + 1} of {args.rounds}, load {os.getloadavg()[0]:.2f}", flush=True)
        for _name, path, ref, ours, theirs in results:
            sides = [(base, path, ours), (reference_url, ref, theirs)]
            for site, site_path, rows in sides if number % 2 == 0 else reversed(sides):
                rows.append(measure(site, site_path, duration=args.duration, connections=args.connections))
                time.sleep(0.5)  # let the server settle
    return results


def report(results, inproc, loads, args):
    def number(value, fmt):
        return format(value, fmt) if value is not None else "n/a"

    lines = [
        f"Tianyuan (page cache off) against {args.reference_url}: gunicorn 2 sync workers each, "
        f"{args.connections} connections, {args.duration} s per path, {args.rounds} rounds, each pair "
        f"back to back; load average {loads[0]:.2f} at the start, {loads[1]:.2f} at the end",
        "",
        "| page | Tianyuan path | reference path | status | Tianyuan req/s | reference req/s "
        "| ratio | ratio min–max | non-2xx+errors | in-process ms | SQL |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    below = []
    for name, path, ref, ours, theirs in results:
        ours_rps = statistics.median(row["rps"] for row in ours)
        theirs_rps = statistics.median(row["rps"] for row in theirs)
        ratio = ours_rps / theirs_rps if theirs_rps else None
        rounds = [a["rps"] / b["rps"] for a, b in zip(ours, theirs, strict=True) if b["rps"]]
        bad = sum((row.get("non2xx") or 0) + (row.get("errors") or 0) for row in ours + theirs)
        status, ms, queries = inproc.get(path, (None, None, None))
        if ratio is not None and ratio < args.target and not path.startswith("/static/"):
            below.append(f"{name} → {ref}")
        lines.append(
            f"| {name} | `{path}` | `{ref}` | {ours[0]['status']}/{theirs[0]['status']} | "
            f"{ours_rps:.1f} | {theirs_rps:.1f} | {number(ratio, '.2f')} | "
            f"{number(min(rounds, default=None), '.2f')}–{number(max(rounds, default=None), '.2f')} | "
            f"{bad} | {number(ms, '.1f')} | {number(queries, 'd')} |"
        )
    lines += [
        "",
        f"Ratio = Tianyuan req/s / reference req/s (medians over rounds). Issue #21 target: "
        f"≥ {args.target:.2f} on every page. "
        + (f"Below it: {', '.join(below)}." if below else "Every page meets it."),
    ]
    pages.emit("\n".join(lines), args.md)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference-url", required=True, help="the running reference site, e.g. http://127.0.0.1:8100"
    )
    parser.add_argument("--reference-static", default=REFERENCE_STATIC, help="its static file to compare")
    parser.add_argument("--duration", type=float, default=5, help="seconds per path and round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--target", type=float, default=TARGET, help="lowest acceptable ratio (default 2.0)")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument("--md", help="append the table (markdown) to this file")
    args = parser.parse_args()
    args.reference_url = args.reference_url.rstrip("/")

    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-reference-"))
    server = None
    started = time.monotonic()
    try:
        refs = reference_paths(args.reference_url, args.reference_static)
        env = pages.make_env(tmp)
        env.update(CACHE_DIR=str(tmp / "cache"), PAGE_CACHE_ENABLED="0")
        print(f"Setting up the demo town in {tmp}", flush=True)
        pages.set_up_database(env)

        # Django in this process, on the same database and settings as the server.
        os.environ.update(env)
        sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
        import django

        django.setup()
        ours = tianyuan_paths()
        pairs = []
        for name, kinds in PAIRS:
            if args.only and args.only not in name:
                continue
            if not ours.get(name):
                print(f"  no {name} in the demo town (skipped)")
                continue
            pairs += [(name, ours[name], refs.get(kind, kind)) for kind in kinds]
        inproc = in_process(sorted({path for _name, path, _ref in pairs}))

        port = pages.free_port()
        base = f"http://127.0.0.1:{port}"
        server = pages.start_gunicorn(env, port)
        pages.wait_until_up(base, server)
        for _name, path, ref in pairs:
            warm(base, path)
            warm(args.reference_url, ref)
        print(f"Measuring {len(pairs)} pairs: Tianyuan {base}, reference {args.reference_url}", flush=True)
        load_start = os.getloadavg()[0]
        results = run_rounds(base, args.reference_url, pairs, args)
        report(results, inproc, (load_start, os.getloadavg()[0]), args)
        print(f"\nTotal {time.monotonic() - started:.0f} s")
    except (pages.BenchError, ValueError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"bench/reference.py: {error}", file=sys.stderr)
        return 1
    finally:
        pages.stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
