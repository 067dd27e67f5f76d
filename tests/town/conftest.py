"""Fixtures shared by the town tests."""

import pytest


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys this process reads from the shared cache."""
    from django.core.cache import caches

    backend = caches["default"]
    reads = []
    get, get_many = backend.get, backend.get_many

    def logged_get(key, *args, **kwargs):
        reads.append(key)
        return get(key, *args, **kwargs)

    def logged_get_many(keys, *args, **kwargs):
        reads.extend(keys)
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get", logged_get)
    monkeypatch.setattr(backend, "get_many", logged_get_many)
    return reads
