"""Page benchmark: the demo town served by gunicorn with production settings, measured over loopback.

    .venv/bin/python bench/pages.py [--duration 3] [--connections 4] [--rounds 2] [--md bench/out/pages.md]
                                    [--redis redis://127.0.0.1:6379/9]

Builds a throwaway SQLite database in a temporary folder (migrate, load_demo, collectstatic),
starts `gunicorn config.wsgi` (2 sync workers, DEBUG off) on a free loopback port, and measures
req/s and p50/p99 per page with bench/loadgen.py, twice: as an anonymous visitor (the full-page
cache answers, town/page_cache.py) and as a visitor with a session cookie (the page is rendered).
It also counts SQL queries per page in-process, warm, both ways. A static file (served by
WhiteNoise) is the baseline: it is measured again right before each page, in turns with the cached
page (``--rounds``), so each page's req/s is shown as a ratio of the static file's rate measured
seconds apart, on a machine whose load may change from one minute to the next (ratios compare
across machines and runs, req/s do not). The
load generator is Python on the same cores as the server, so the static file's rate is partly
the generator's own limit. Issue #21's target: cached pages at 0.80 of the static file or more.

Measured, never asserted: this is not a test and `make test` does not run it. Bounded: a few
minutes with the defaults. Everything it creates is removed at the end.
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# bench/ is the script's own folder, so its sibling module imports by name.
from loadgen import measure

BASE_DIR = Path(__file__).resolve().parent.parent
BASELINE = "/static/css/site.css"
# Any session cookie sends a visitor past the page cache (town/page_cache.py): an unknown one
# costs a session lookup, as a real visitor with a basket or an account would.
UNCACHED_COOKIE = "sessionid=bench-no-such-session"
STEP_TIMEOUT = 420  # seconds for any one set-up step (a busy 2-core machine needs minutes for load_demo)

# Production settings, plus what serving plain http on 127.0.0.1 from a temp folder needs.
SETTINGS_MODULE = """\
from config.settings.production import *  # noqa: F403

STATIC_ROOT = {static_root!r}
LOGGING = {{"version": 1, "disable_existing_loggers": False,
           "root": {{"handlers": [], "level": "WARNING"}}}}
"""


class BenchError(Exception):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_env(tmp):
    settings_dir = tmp / "settings"
    settings_dir.mkdir()
    (settings_dir / "bench_settings.py").write_text(SETTINGS_MODULE.format(static_root=str(tmp / "static")))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join([str(settings_dir), str(BASE_DIR)]),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
    )
    return env


def manage(env, *args, settings=None):
    step_env = dict(env, DJANGO_SETTINGS_MODULE=settings or env["DJANGO_SETTINGS_MODULE"])
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=step_env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    if result.returncode != 0:
        output = result.stdout[-2000:] + result.stderr[-4000:]
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{output}")
    print(f"  manage.py {' '.join(args):40} {time.monotonic() - started:5.1f} s", flush=True)
    return result


def set_up_database(env):
    # load_demo refuses to run with DEBUG off (it creates known passwords): load with dev settings.
    demo_check = subprocess.run(
        [sys.executable, "manage.py", "help", "load_demo"],
        cwd=BASE_DIR,
        env=dict(env, DJANGO_SETTINGS_MODULE="config.settings.dev"),
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    if demo_check.returncode != 0:
        raise BenchError("`manage.py load_demo` is not available yet: the benchmark needs the demo town.")
    manage(env, "migrate", "--noinput", settings="config.settings.dev")
    manage(env, "load_demo", "--quiet", settings="config.settings.dev")
    manage(env, "collectstatic", "--noinput", "-v0")


def find_paths():
    """The pages to measure, read from the demo database (runs in-process, after set-up)."""
    from django.apps import apps

    def first_live_url(app_label, model_name):
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return None
        page = model.objects.live().filter(locale__language_code="zh-hans").order_by("path").first()
        page = page or model.objects.live().order_by("path").first()
        if page is None:
            return None
        parts = page.get_url_parts()
        return parts[2] if parts else None

    from datetime import timedelta

    from django.utils import timezone

    homestays = first_live_url("homestays", "HomestayIndexPage")
    check_in = timezone.localdate() + timedelta(days=14)
    dates = f"?check_in={check_in}&check_out={check_in + timedelta(days=2)}&guests=2"
    product = apps.get_model("products", "Product").objects.live().order_by("pk").first()
    paths = [
        ("home", "/"),
        ("attractions index", first_live_url("attractions", "AttractionIndexPage") or "/attractions/"),
        ("attraction", first_live_url("attractions", "AttractionPage")),
        ("events index", first_live_url("events", "EventIndexPage") or "/events/"),
        ("event", first_live_url("events", "EventPage")),
        ("homestays index", homestays),
        ("homestays with dates", homestays and homestays + dates),
        ("homestay", first_live_url("homestays", "HomestayPage")),
        ("tour", first_live_url("attractions", "ExperiencePage")),
        ("shop", first_live_url("products", "ShopPage")),
        ("product", product and product.get_absolute_url()),
        ("this month", first_live_url("events", "SeasonPage")),
        ("search 草莓", "/search/?q=%E8%8D%89%E8%8E%93"),
        ("API product", product and f"/api/v1/products/{product.pk}"),
        ("robots.txt (a view)", "/robots.txt"),
    ]
    missing = [name for name, path in paths if path is None]
    if missing:
        print(f"  no live page for: {', '.join(missing)} (skipped)")
    return [(name, path) for name, path in paths if path]


def count_queries(paths):
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    # A page that fails shows as 500 in the table rather than stopping the run.
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    counts = {}
    for _name, path in paths:
        client.get(path)  # cold: makes renditions, fills caches
        client.get(path)  # stored by the page cache
        # Each count is read at once: the next request's start empties Django's query log, and
        # captured_queries is a slice of that log, not a copy.
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        cached_count = len(ctx.captured_queries)
        # Rendered: what a logged-in visitor's page costs (the page cache is not asked).
        with override_settings(PAGE_CACHE_ENABLED=False):
            client.get(path)
            with CaptureQueriesContext(connection) as rendered:
                client.get(path)
            rendered_count = len(rendered.captured_queries)
        counts[path] = (
            response.status_code,
            cached_count,
            rendered_count,
            response.headers.get("X-Page-Cache") == "hit",
        )
        if getattr(response, "exc_info", None):
            print(f"  {path} fails: {response.exc_info[0].__name__}: {response.exc_info[1]}")
    return counts


def start_gunicorn(env, port):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise BenchError(f"gunicorn not found next to {sys.executable}: install requirements.txt")
    return subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "30",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,  # its own process group, so stopping it stops its workers
    )


def wait_until_up(base, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(base + BASELINE, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer on {base} within {timeout} s")


def stop(server):
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def _pooled(rows):
    """Rounds of one measurement as one: req/s over all of them, the worst p50/p99, the sums."""
    pooled = dict(rows[0])
    pooled["rps"] = sum(row.get("rps") or 0 for row in rows) / len(rows)
    for name in ("p50", "p99"):
        values = [row[name] for row in rows if row.get(name) is not None]
        pooled[name] = max(values) if values else None
    for name in ("requests", "non2xx", "errors"):
        pooled[name] = sum(row.get(name) or 0 for row in rows)
    return pooled


def run_load(base, paths, args):
    """{path: (static just before, anonymous, with a session)}: the static file and the cached
    page take turns (``--rounds``), so a burst of load from elsewhere falls on both alike."""
    load = {}
    for _name, path in paths:
        if path == BASELINE:
            continue
        statics, anonymous = [], []
        for _round in range(args.rounds):
            statics.append(measure(base, BASELINE, duration=args.duration, connections=args.connections))
            time.sleep(0.5)  # let the server settle between paths
            anonymous.append(measure(base, path, duration=args.duration, connections=args.connections))
            time.sleep(0.5)
        static, anonymous = _pooled(statics), _pooled(anonymous)
        rendered = measure(
            base, path, duration=args.duration, connections=args.connections, cookie=UNCACHED_COOKIE
        )
        time.sleep(0.5)
        load[path] = (static, anonymous, rendered)
    return load


TARGET = 0.8  # issue #21: cached pages at 80 % of the static file's rate


def report(paths, queries, load, args):
    def number(value, fmt):
        return format(value, fmt) if value is not None else "n/a"

    def ratio(row, static):
        rps, static_rps = (row or {}).get("rps"), (static or {}).get("rps")
        return rps / static_rps if rps and static_rps else None

    lines = [
        f"Pages, gunicorn 2 sync workers, {args.connections} connections, {args.duration} s per path; "
        f"static: the file {BASELINE}, measured right before each page, {args.rounds} turns each; "
        f"cache: {'Redis' if args.redis else 'production default'}",
        "",
        "| page | path | status | SQL cached | SQL rendered | static req/s | cached req/s | × static "
        "| p50 ms | p99 ms | rendered req/s | × static | p50 ms | non-2xx+errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratios = []
    for name, path in paths:
        if path == BASELINE:
            continue
        static, cached, rendered = load.get(path, ({}, {}, {}))
        status, count, rendered_count, stored = queries.get(path, ("?", "?", "?", False))
        bad = sum((row.get("non2xx") or 0) + (row.get("errors") or 0) for row in (static, cached, rendered))
        cached_ratio = ratio(cached, static)
        if stored:  # the page cache answers it (not robots.txt, say)
            ratios.append(cached_ratio or 0.0)
        lines.append(
            f"| {name} | `{path}` | {status} | {count} | {rendered_count} | "
            f"{number(static.get('rps'), '.1f')} | "
            f"{number(cached.get('rps'), '.1f')} | {number(cached_ratio, '.2f')} | "
            f"{number(cached.get('p50'), '.1f')} | {number(cached.get('p99'), '.1f')} | "
            f"{number(rendered.get('rps'), '.1f')} | {number(ratio(rendered, static), '.2f')} | "
            f"{number(rendered.get('p50'), '.1f')} | {bad} |"
        )
    if ratios:
        ordered = sorted(ratios)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        met = sum(1 for value in ratios if value >= TARGET)
        lines += [
            "",
            f"Pages the cache answers, at ≥ {TARGET:.2f} × static: {met} of {len(ratios)}; "
            f"median {median:.2f}, lowest {ordered[0]:.2f}.",
        ]
    emit("\n".join(lines), args.md)


def emit(text, md=None):
    """Print the report and, with ``md``, append it (dated) to that markdown file."""
    print()
    print(text)
    if md:
        md = Path(md)
        md.parent.mkdir(parents=True, exist_ok=True)
        with md.open("a") as fh:
            fh.write(f"\n{time.strftime('%Y-%m-%d %H:%M')}\n\n{text}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per path (default 3)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="turns of static file then cached page, per page (default 2)"
    )
    parser.add_argument("--md", help="append the table (markdown) to this file, e.g. bench/out/pages.md")
    parser.add_argument("--redis", help="REDIS_URL for the server's cache (default: production's file cache)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-bench-"))
    server = None
    started = time.monotonic()
    try:
        env = make_env(tmp)
        if args.redis:
            env["REDIS_URL"] = args.redis
        else:
            env["CACHE_DIR"] = str(tmp / "cache")
        print(f"Setting up the demo town in {tmp}", flush=True)
        set_up_database(env)

        # Django in this process, on the same database and settings as the server.
        os.environ.update(env)
        sys.path[:0] = env["PYTHONPATH"].split(os.pathsep)
        import django

        django.setup()
        paths = find_paths()
        queries = count_queries(paths)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port)
        wait_until_up(base, server)
        print(f"Measuring {len(paths)} paths on {base}", flush=True)
        load = run_load(base, paths, args)
        report(paths, queries, load, args)
        print(f"\nTotal {time.monotonic() - started:.0f} s")
    except (BenchError, ValueError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"bench/pages.py: {error}", file=sys.stderr)
        return 1
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
