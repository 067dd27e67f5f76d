"""Whether Elasticsearch is on, the client, and the names of its indexes.

Each search kind has its own alias ``<prefix><kind>`` pointing at one concrete index
``<prefix><kind>-<timestamp>``; a rebuild fills a new concrete index and then moves the alias,
so searches never see a half-built index.
"""

from functools import lru_cache

from django.conf import settings
from django.utils import timezone

DEFAULT_PREFIX = "tianyuan_"


def is_enabled() -> bool:
    return bool(getattr(settings, "ELASTICSEARCH_URL", ""))


def index_prefix() -> str:
    return getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", DEFAULT_PREFIX) or ""


def alias_name(kind: str) -> str:
    """The name searches and single-document updates use for ``kind``."""
    return f"{index_prefix()}{kind}"


def new_index_name(kind: str) -> str:
    """A fresh concrete index for a rebuild of ``kind``."""
    return f"{alias_name(kind)}-{timezone.now().strftime('%Y%m%d%H%M%S%f')}"


def timeout() -> float:
    return float(getattr(settings, "ELASTICSEARCH_TIMEOUT", 10))


def node_urls(url: str) -> list[str]:
    """``ELASTICSEARCH_URL`` names one node or a cluster's nodes, separated by commas: the client
    spreads requests over them and moves on from a node that is down."""
    return [node.strip() for node in url.split(",") if node.strip()]


@lru_cache(maxsize=4)
def _client(url: str, request_timeout: float):
    from elasticsearch import Elasticsearch

    return Elasticsearch(node_urls(url), request_timeout=request_timeout)


def get_client():
    """The Elasticsearch client for ``settings.ELASTICSEARCH_URL`` (one per URL and process)."""
    if not is_enabled():
        raise RuntimeError("ELASTICSEARCH_URL is not set")
    return _client(settings.ELASTICSEARCH_URL, timeout())
