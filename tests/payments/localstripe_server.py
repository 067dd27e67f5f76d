"""Run localstripe bound to 127.0.0.1 on a free port; print the port, then serve until killed.

localstripe's own command line listens on every interface and pickles its store to a fixed
/tmp file; here each test worker gets its own loopback-only server with the store in memory.
"""

import socket
import sys

from aiohttp import web
from localstripe import resources


def _balance_history(cls, url, limit=None, starting_after=None, created=None, **kwargs):
    """localstripe's /v1/balance/history, plus the ``created`` range Stripe documents for it
    (localstripe refuses any filter): the reconciliation asks for one day's transactions."""
    page = _list_balance_history(url, limit=limit, starting_after=starting_after, **kwargs)
    if created:
        bounds = {op: int(value) for op, value in created.items()}
        checks = {
            "gt": lambda t, v: t > v,
            "gte": lambda t, v: t >= v,
            "lt": lambda t, v: t < v,
            "lte": lambda t, v: t <= v,
        }
        page._list = [
            txn for txn in page._list if all(checks[op](txn.created, v) for op, v in bounds.items())
        ]
    return page


_list_balance_history = resources.BalanceTransaction._api_list_all


def main():
    resources.store.dump_to_disk = lambda: None  # in memory only: workers must not share a file
    # Stripe's client lists them at /v1/balance_transactions (looked up on the class at each
    # call); /v1/balance/history is bound when localstripe's server module is imported.
    resources.BalanceTransaction._api_list_all = classmethod(_balance_history)
    listing = resources.BalanceTransaction._api_list_all
    resources.extra_apis[:] = [
        (method, url, listing if url == "/v1/balance/history" else func)
        for method, url, func in resources.extra_apis
    ]
    from localstripe import server

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    sys.exit(main())
