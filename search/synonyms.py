"""Synonyms, applied at query time: a query word that belongs to a group also matches the group's
other terms. Staff edit the groups as the ``SearchSynonym`` snippet; the map is cached and the
cache is dropped whenever a group is saved or deleted."""

from django.core.cache import cache

from .models import SearchSynonym
from .text import normalise

CACHE_KEY = "sitesearch:synonyms:v1"


def build_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """``{term: [other terms]}`` keyed by each term's normalised form (a query word matches a
    whole term, so 农家 alone does not pull in 农家乐's synonyms)."""
    mapping: dict[str, list[str]] = {}
    for group in groups:
        for term in group:
            key = normalise(term).strip()
            if key:
                others = mapping.setdefault(key, [])
                others.extend(t for t in group if t != term and t not in others)
    return mapping


def synonym_map() -> dict[str, list[str]]:
    mapping = cache.get(CACHE_KEY)
    if mapping is None:
        mapping = build_map([s.term_list() for s in SearchSynonym.objects.all()])
        cache.set(CACHE_KEY, mapping, 3600)
    return mapping


def clear_cache(**kwargs):
    cache.delete(CACHE_KEY)
