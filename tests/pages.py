"""Counting the SQL queries of a public page, cold and warm.

Cold: the first request after the cache is emptied (renditions and the footer settings row are
already made). Warm: the request after it, served from the content cache (town/cache.py).
"""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

WARM_BUDGET = 12  # the most SQL queries a warm public page may run


def cold_and_warm_queries(client, url, data=None):
    """(cold queries, warm queries, warm response); both responses must be the same page."""
    client.get(url, data)  # makes the renditions and the footer settings row
    caches["default"].clear()
    caches["renditions"].clear()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url, data)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url, data)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    return len(cold), len(warm), second


def warm_queries(client, url, data=None):
    """(queries, response) of a warm visit, for pages whose HTML differs per request (a CSRF
    token in a form): two visits first (renditions, then the content cache), then the counted one."""
    for _i in range(2):
        assert client.get(url, data).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries), response


def context_value(response, name):
    """A value of the response's context; one computed on first use (``town.cache.lazy_value``,
    for a cached fragment that may not have needed it) is computed now."""
    value = response.context[name]
    return value() if callable(value) else value
