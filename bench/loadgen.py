"""A small, bounded loopback load generator for the benchmarks: req/s and p50/p99 per path.

Each path is fetched once (status), warmed up sequentially, then hit by ``connections`` threads
for ``duration`` seconds, each on its own keep-alive HTTP/1.1 connection. Threads share the GIL
with nothing but the sockets, which is enough to compare pages with a baseline measured in the
same run on the same machine; absolute req/s are not comparable across machines.

    .venv/bin/python bench/loadgen.py http://127.0.0.1:8000 / /robots.txt --duration 3
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from urllib.parse import quote, urlsplit

MAX_DURATION = 120
MAX_CONNECTIONS = 64
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _connection(host, port):
    return http.client.HTTPConnection(host, port, timeout=30)


def _get(conn, path, cookie=None):
    headers = {"Accept-Encoding": "identity"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body), response.getheader("Connection", "").lower() == "close"


def measure(base, path, *, duration=3.0, connections=4, warmup=5, cookie=None):
    """Load ``base + path`` (sending ``cookie`` if given); returns a dict: path, status, rps, p50,
    p99 (ms), requests, non2xx, errors."""
    path = quote(path, safe="/?&=%:+;,")  # pages' slugs may be Chinese
    parts = urlsplit(base)
    host, port = parts.hostname, parts.port or 80
    if host not in LOOPBACK:
        raise ValueError(f"{base}: only loopback addresses are measured")
    duration = min(float(duration), MAX_DURATION)
    connections = max(1, min(int(connections), MAX_CONNECTIONS))

    conn = _connection(host, port)
    try:
        status = _get(conn, path, cookie)[0]
        for _ in range(warmup):
            _get(conn, path, cookie)
    except OSError as error:
        return {
            "path": path,
            "status": f"ERR {type(error).__name__}",
            "rps": 0.0,
            "p50": None,
            "p99": None,
            "requests": 0,
            "non2xx": 0,
            "errors": 1,
        }
    finally:
        conn.close()

    latencies, counts, lock = [], {"non2xx": 0, "errors": 0}, threading.Lock()
    deadline = time.monotonic() + duration

    def worker():
        mine, non2xx, errors = [], 0, 0
        conn = _connection(host, port)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                code, _size, close = _get(conn, path, cookie)
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = _connection(host, port)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            non2xx += not 200 <= code < 300
            if close:
                conn.close()
                conn = _connection(host, port)
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["non2xx"] += non2xx
            counts["errors"] += errors

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    percentiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else None
    return {
        "path": path,
        "status": status,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentiles[49] if percentiles else None,
        "p99": percentiles[98] if percentiles else None,
        "requests": len(latencies),
        **counts,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--duration", type=float, default=3)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    print(f"{'path':40} {'status':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for path in args.paths:
        row = measure(args.base, path, duration=args.duration, connections=args.connections)
        p50 = f"{row['p50']:.1f}" if row["p50"] is not None else "n/a"
        p99 = f"{row['p99']:.1f}" if row["p99"] is not None else "n/a"
        print(f"{path:40} {row['status']!s:>6} {row['rps']:8.1f} {p50:>8} {p99:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
