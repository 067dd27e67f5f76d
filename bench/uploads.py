"""Upload benchmark: what one farmer's photo upload costs a web worker, and the first dashboard
view after it, with real PNG/JPEG files made by Pillow.

    .venv/bin/python bench/uploads.py [--only attack,phone,limit]

Each scenario gets a fresh copy of one migrated SQLite database, its own media folder and a file
cache (as production without Redis), and each step runs in its own Python process, so the peak
memory reported (ru_maxrss) is that step's alone:

- upload: the farmer posts the "add a product" form with the scenario's photos;
- first view: the dashboard's product list, then the product's page (where the upload redirects);
- worker: `db_worker --batch`, which makes the renditions queued by the upload (if any);
- next view: the same two pages once the worker has run.

Tasks go to the database queue as in production (`django_tasks_db`), so the upload request does
not run them inline. Figures are printed, never asserted; the run takes a few minutes and removes
everything it made.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The site's modules are imported inside the functions below, never at the top: each process
# first picks its database and settings and calls django.setup() (models need the app registry).
BASE_DIR = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 300

SETTINGS_MODULE = """\
from config.settings.test import *  # noqa: F403

DATABASES = {{"default": {{**DATABASES["default"], "NAME": {db!r}, "TEST": {{}}}}}}  # noqa: F405
MEDIA_ROOT = {media!r}
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                       "LOCATION": {cache!r}}}}}
TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend"}}}}
LOGGING = {{"version": 1, "disable_existing_loggers": False, "root": {{"handlers": [], "level": "ERROR"}}}}
"""

# name: (what, [(format, width, height), ...])
SCENARIOS = {
    "attack": ("eight 6,300 × 6,300 PNGs (the issue's 1 MB upload)", [("PNG", 6300, 6300)] * 8),
    "limit": ("three 6,300 × 6,300 PNGs (119 MP, just under 120 MP a request)", [("PNG", 6300, 6300)] * 3),
    "phone": ("eight 12 MP phone JPEGs (4,032 × 3,024)", [("JPEG", 4032, 3024)] * 8),
}


# --- the child process: one step, measured ------------------------------------------------------


def child(step, scenario):
    import resource

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if step == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        make_farmer()
        return {}

    from products.models import Producer, Product

    client = Client()
    client.force_login(Producer.objects.get().user)
    # Warm up the code paths (base template, URL resolver) on a page without photos, so the step
    # measures its own work.
    client.get(reverse("farmer_sales"))
    before = peak_mb()
    started = time.perf_counter()
    if step == "upload":
        files = [
            SimpleUploadedFile(path.name, path.read_bytes(), content_type=f"image/{path.suffix[1:]}")
            for path in sorted(Path(os.environ["BENCH_FILES"]).iterdir())
        ]
        megabytes = sum(f.size for f in files) / 1e6
        started = time.perf_counter()
        response = client.post(reverse("farmer_product_create"), {**form_data(), "photos": files})
        result = {"status": response.status_code, "upload_mb": round(megabytes, 2)}
    elif step in ("first_view", "next_view"):
        statuses = [client.get(reverse("farmer_products")).status_code]
        product = Product.objects.first()
        if product is not None:
            statuses.append(client.get(reverse("farmer_product_edit", args=[product.pk])).status_code)
        result = {"status": "/".join(map(str, statuses))}
    elif step == "worker":
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        result = {"status": "done"}
    else:
        raise SystemExit(f"unknown step {step}")
    from wagtail.images import get_image_model

    Image = get_image_model()
    result.update(
        seconds=round(time.perf_counter() - started, 2),
        peak_mb=round(peak_mb(), 1),
        added_mb=round(peak_mb() - before, 1),
        images=Image.objects.count(),
        renditions=Image.get_rendition_model().objects.count(),
    )
    return result


def make_farmer():
    from accounts.roles import FARMERS
    from accounts.services import assign_role
    from tests.factories.products import ProducerFactory

    producer = ProducerFactory()
    assign_role(producer.user, FARMERS)


def form_data():
    return {
        "name": "奶油草莓",
        "category": "fruit",
        "description": "山脚大棚里的草莓。",
        "unit": "jin",
        "price_yuan": "35.50",
        "stock": "40",
        "offers_pickup": "on",
    }


def make_files(specs, folder):
    """The scenario's photos as files (made here, so no step's peak memory includes making them)."""
    from PIL import Image

    folder.mkdir(parents=True)
    for n, (fmt, width, height) in enumerate(specs):
        path = folder / f"{n}.{fmt.lower()}"
        if fmt == "JPEG":
            # A gradient, so the JPEG decodes like a photo rather than one flat colour.
            gradient = Image.linear_gradient("L").resize((width, height))
            Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient)).save(
                path, format="JPEG", quality=85
            )
        else:
            Image.new("RGB", (width, height), (40 + n, 160, 60)).save(path, format=fmt)


# --- the parent: fresh database per scenario, one process per step --------------------------------


def run_step(tmp, name, step, scenario=""):
    settings_dir = tmp / "settings"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE=f"bench_{name}",
        PYTHONPATH=os.pathsep.join([str(settings_dir), str(BASE_DIR)]),
        BENCH_FILES=str(tmp / name / "files"),
    )
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, scenario],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"step {step} of {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_settings(tmp, name):
    settings_dir = tmp / "settings"
    settings_dir.mkdir(exist_ok=True)
    folder = tmp / name
    folder.mkdir()
    (settings_dir / f"bench_{name}.py").write_text(
        SETTINGS_MODULE.format(
            db=str(folder / "db.sqlite3"), media=str(folder / "media"), cache=str(folder / "cache")
        )
    )
    return folder / "db.sqlite3"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # bench/search.py would shadow the search app: import the project from its root only.
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
        print(json.dumps(child(*args.child)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="tianyuan-bench-uploads-"))
    try:
        template = write_settings(tmp, "template")
        run_step(tmp, "template", "migrate")
        git = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"], cwd=BASE_DIR, capture_output=True, text=True, check=False
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print(f"code: {git.stdout.strip() or BASE_DIR}{' (with local changes)' if dirty else ''}")
        print(
            f"{'scenario':<8} {'step':<11} {'status':>7} {'seconds':>8} {'peak MB':>8} {'+MB':>7} "
            f"{'images':>6} {'renditions':>10}"
        )
        for name in args.only.split(","):
            db = write_settings(tmp, name)
            shutil.copy(template, db)
            make_files(SCENARIOS[name][1], tmp / name / "files")
            print(f"# {name}: {SCENARIOS[name][0]}")
            for step in ("upload", "first_view", "worker", "next_view"):
                r = run_step(tmp, name, step, name)
                status = f"{r['status']}" + (f" {r['upload_mb']} MB" if "upload_mb" in r else "")
                print(
                    f"{name:<8} {step:<11} {status:>7} {r['seconds']:>8} {r['peak_mb']:>8} "
                    f"{r['added_mb']:>7} {r['images']:>6} {r['renditions']:>10}"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
