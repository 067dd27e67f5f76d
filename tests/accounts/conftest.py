import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox(sms_outbox):
    return sms_outbox


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """client.post, then what the request left for after its commit (the SMS tasks) runs, as a
    real commit would run it."""

    def posting(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return posting
