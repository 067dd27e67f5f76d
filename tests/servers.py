"""Real servers for the integration tests (tests/core/test_two_servers.py, test_single_host_media.py):
gunicorn with production settings over the test database, started on free loopback ports."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 60


def missing(reason, what):
    """Skip, or fail when CI requires the PostgreSQL tests to run (REQUIRE_POSTGRES)."""
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail(f"{what} cannot run: {reason}")
    pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The test database (the one pytest-django made), for the servers to share with the test."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_gunicorn(env, port):
    """``gunicorn config.wsgi``, 2 workers of 4 threads, in a process group of its own."""
    return subprocess.Popen(  # noqa: S603
        [
            str(GUNICORN),
            "config.wsgi",
            "--preload",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=4",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
            "--log-level=warning",
            # Each its own: by default every gunicorn on the machine uses one control socket path.
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # stopping its group stops its workers
    )


def wait_for(url, process, name, headers=None):
    """Until ``url`` answers at all (any status); fails if the process exits first."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}")
        try:
            requests.get(url, timeout=5, headers=headers)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer on {url} within {START_TIMEOUT} s")


def stop(processes):
    """Kill processes started in sessions of their own, with their children (gunicorn's workers):
    nothing of theirs needs keeping, and gunicorn's graceful stop takes seconds per server."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for process in processes:
        process.wait(timeout=10)


def wait_for_servers_to_disconnect():
    """The servers' database sessions end with them: wait until PostgreSQL has let them go, so
    that the test database can be flushed and dropped."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


class BackgroundHTTPServer(ThreadingHTTPServer):
    """A fake provider's HTTP server on a free loopback port, served from a thread while used as
    a context manager (``with FakeX(...) as server:``). Subclasses give ``handler_class()``."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.handler_class())
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def handler_class(self):
        raise NotImplementedError

    @property
    def root_url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)
