"""The SQLite test database copied from a migrated one instead of migrated again.

Migrating an empty database takes about 30 s of CPU here (Django renders the model states of
nearly 300 migrations), in each xdist worker of each pytest run: `.ci/run` runs the suite on
SQLite six times (the whole suite, four fixed moments, the Redis pass), a developer's
one-file run pays it too. The first run migrates as usual and keeps a copy of the result in
``.test-db-cache/``; later runs copy it into their in-memory database with SQLite's backup API
(well under a second) and send ``post_migrate`` as ``migrate`` would.

The copy's name is a digest of everything that decides the migrated result: every migration file
of ours, the pinned requirements (the packages' migrations), Python's version and the installed
apps. Rows made by migrations carry no date that a test reads, so a copy made at one moment serves
the runs at the fixed moments too. PostgreSQL is migrated as before.
"""

import functools
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections
from django.db.backends.base.creation import BaseDatabaseCreation

CACHE = Path(settings.BASE_DIR) / ".test-db-cache"


def template_key() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(sys.version.encode())
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update((base / name).read_bytes())
    digest.update(repr(settings.INSTALLED_APPS).encode())
    for path in sorted(base.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def _restore(path: Path, connection) -> None:
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _keep(connection, path: Path) -> None:
    CACHE.mkdir(exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, path)  # whole or not at all, whichever worker finishes first
    for old in CACHE.glob("*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)


def install() -> None:
    """Wrap the ``migrate`` that Django's test database creation calls, and only that one."""
    create_test_db = BaseDatabaseCreation.create_test_db
    if getattr(create_test_db, "from_template", False):
        return

    def migrate_or_copy(migrate_as_usual, name, *args, **options):
        connection = connections[options.get("database", "default")]
        if name != "migrate" or connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return migrate_as_usual(name, *args, **options)
        path = CACHE / f"{template_key()}.sqlite3"
        connection.ensure_connection()
        if path.exists():
            _restore(path, connection)
            emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=[])
            return None
        result = migrate_as_usual(name, *args, **options)
        _keep(connection, path)
        return result

    @functools.wraps(create_test_db)
    def create_test_db_from_template(self, *args, **kwargs):
        migrate_as_usual = management.call_command
        # create_test_db imports call_command from django.core.management when it runs.
        management.call_command = functools.partial(migrate_or_copy, migrate_as_usual)
        try:
            return create_test_db(self, *args, **kwargs)
        finally:
            management.call_command = migrate_as_usual

    create_test_db_from_template.from_template = True
    BaseDatabaseCreation.create_test_db = create_test_db_from_template
