"""The SQLite race, run in its own process on a file database (test_concurrency runs it).

The test suite's SQLite database lives in memory, where every thread shares one connection; a
real race needs separate connections to a file, as the web server has. Usage:

    python tests/homestays/sqlite_race.py /tmp/race.sqlite3 20

A file that already holds a migrated database (the test copies the suite's own) is used as it is;
otherwise the script migrates it first.

Prints JSON: {"ok": n, "errors": {class name: n}, "locked_errors": n, "max_claimed": n}.
"""

import json
import logging
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(db_path, threads):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    logging.disable(logging.INFO)  # page-created and task lines would drown the result
    from django.core.management import call_command
    from django.db import OperationalError, connection

    if not Path(db_path).exists():
        # Durability is irrelevant to a throwaway schema: skip the fsyncs while migrating.
        options = connection.settings_dict["OPTIONS"]
        normal_init = options["init_command"]
        options["init_command"] = normal_init.replace("synchronous=NORMAL", "synchronous=OFF")
        call_command("migrate", verbosity=0)
        connection.close()
        options["init_command"] = normal_init

    from wagtail.models import Locale, Page

    from homestays.models import HomestayPage, RoomType
    from orders import reservations
    from orders.exceptions import ReservationError
    from orders.models import ReservationKind
    from orders.reservations import Claim, local_today, reserve
    from orders.selectors import claimed_units

    Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node()
    page = root.add_child(instance=HomestayPage(title="竞争民宿", slug="race"))
    room = RoomType.objects.create(page=page, name="最后一间", units=1, base_price_fen=30000)
    common = local_today() + timedelta(days=30)
    connection.close()

    # Widen the window between counting and inserting, as the PostgreSQL race does.
    reservations._after_count = lambda: time.sleep(0.005)
    barrier = threading.Barrier(threads)
    outcomes, lock = [], threading.Lock()

    def book(i):
        start = common - timedelta(days=i % 3)
        end = common + timedelta(days=1 + i % 4)
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            reserve([Claim(ReservationKind.STAY, room.pk, 1, start, end)])
            outcome = "ok"
        except ReservationError as exc:
            outcome = type(exc).__name__
        except OperationalError as exc:
            outcome = "locked" if "locked" in str(exc) else repr(exc)
        except Exception as exc:  # reported to the test, which fails on it
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    started = time.monotonic()
    workers = [threading.Thread(target=book, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    elapsed = time.monotonic() - started
    counts = Counter(outcomes)
    claimed = claimed_units(
        ReservationKind.STAY, [room.pk], common - timedelta(days=3), common + timedelta(days=5)
    )
    result = {
        "ok": counts.pop("ok", 0),
        "locked_errors": counts.pop("locked", 0),
        "errors": dict(counts),
        "max_claimed": max(claimed.values(), default=0),
        "seconds": round(elapsed, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
