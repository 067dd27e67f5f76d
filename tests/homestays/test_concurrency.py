"""Real threads racing for the last room: the stay inventory under the reservation lock.

PostgreSQL: 50 threads with different but overlapping stays (all share one night) against one
room; exactly one wins. The control run switches the lock off and must oversell, which proves the
race could fail. SQLite: the same race on a file database in a subprocess, where
IMMEDIATE transactions and the busy timeout serialise writers without "database is locked".
"""

import json
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from wagtail.models import Locale, Page

from orders import reservations
from orders.exceptions import ReservationError
from orders.models import ReservationKind
from orders.reservations import Claim, local_today, reserve
from orders.selectors import claimed_units
from tests.factories.homestays import HomestayPageFactory, RoomTypeFactory

THREADS = 50
SQLITE_THREADS = 20
SPREAD = 3  # stays start up to 3 nights before the common night and end up to 3 after it


def overlapping_stays(common, count, seed=7):
    """``count`` stays of different lengths, every one including the night ``common``."""
    rng = random.Random(seed)
    return [
        (common - timedelta(days=rng.randint(0, SPREAD)), common + timedelta(days=1 + rng.randint(0, SPREAD)))
        for _ in range(count)
    ]


def race(room_type_id, stays):
    """Start one booking per stay at the same instant; return a Counter of outcomes."""
    barrier = threading.Barrier(len(stays))
    outcomes, lock = [], threading.Lock()

    def book(start, end):
        try:
            connection.ensure_connection()  # connect before the start line, not after it
            barrier.wait(timeout=30)
            reserve([Claim(ReservationKind.STAY, room_type_id, 1, start, end)])
            outcome = "reserved"
        except ReservationError as exc:
            outcome = f"refused:{type(exc).__name__}"
        except Exception as exc:  # reported, so a broken thread fails the test visibly
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=book, args=stay) for stay in stays]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    return Counter(outcomes)


@pytest.fixture
def last_room(transactional_db):
    # Transactional tests flush the tables afterwards: build the tree's root if an earlier one
    # removed it.
    locale, _created = Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    homestay = HomestayPageFactory(parent=root)
    return RoomTypeFactory(page=homestay, units=1)


@pytest.fixture
def common_night():
    return local_today() + timedelta(days=30)


def most_claimed(room, common):
    claimed = claimed_units(
        ReservationKind.STAY, [room.pk], common - timedelta(days=SPREAD), common + timedelta(days=SPREAD + 1)
    )
    return max(claimed.values(), default=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_overlapping_stays_racing_for_the_last_room_book_it_once(last_room, common_night, monkeypatch):
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.01))
    outcomes = race(last_room.pk, overlapping_stays(common_night, THREADS))
    assert outcomes["reserved"] == 1
    refused = sum(n for outcome, n in outcomes.items() if outcome.startswith("refused:"))
    assert refused == THREADS - 1, outcomes
    assert most_claimed(last_room, common_night) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_oversells_the_last_room(last_room, common_night, monkeypatch):
    def no_lock(model, pks):
        return model._default_manager.in_bulk(sorted(pks))

    monkeypatch.setattr(reservations, "lock_rows", no_lock)
    monkeypatch.setattr(reservations, "_after_count", lambda: time.sleep(0.3))
    outcomes = race(last_room.pk, overlapping_stays(common_night, THREADS))
    assert outcomes["reserved"] > 1
    assert most_claimed(last_room, common_night) > 1


def copy_of_the_test_database(blocker, path):
    """The suite's migrated (in-memory) SQLite database copied to a file: migrating a new one
    would cost the race a quarter of a minute."""
    with blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return path


# Transactional, so the database it copies holds the migrations' rows again (serialized
# rollback) even when an earlier transactional test flushed them.
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_on_a_sqlite_file_book_the_last_room_once_without_lock_errors(
    tmp_path, django_db_blocker
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite race runs only in the SQLite run of the suite")
    script = Path(__file__).with_name("sqlite_race.py")
    database = copy_of_the_test_database(django_db_blocker, tmp_path / "race.sqlite3")
    done = subprocess.run(  # noqa: S603 - our own script, run with our interpreter
        [sys.executable, str(script), str(database), str(SQLITE_THREADS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"] == 1
    assert result["locked_errors"] == 0
    assert sum(result["errors"].values()) == SQLITE_THREADS - 1
    assert set(result["errors"]) <= {"SoldOut", "DatesUnavailable"}
    assert result["max_claimed"] == 1
