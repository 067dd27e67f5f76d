"""Synonyms, applied at query time: a query word that belongs to a group also matches the group's
other terms. Staff edit the groups as the ``SearchSynonym`` snippet; the map is cached and the
cache is dropped whenever a group is saved or deleted."""

import re

from django.core.cache import cache

CACHE_KEY = "sitesearch:synonyms:v1"
_SPLIT = re.compile(r"[,，、;；\n=]+")


def split_terms(value: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in _SPLIT.split(value or "") if t.strip()))


def build_map(groups: list[list[str]]) -> dict[str, list[str]]:
    """``{term: [other terms]}`` keyed by each term's normalised form (a query word matches a
    whole term, so 农家 alone does not pull in 农家乐's synonyms)."""
    from .text import normalise

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
        from .models import SearchSynonym

        mapping = build_map([s.term_list() for s in SearchSynonym.objects.all()])
        cache.set(CACHE_KEY, mapping, 3600)
    return mapping


def clear_cache(**kwargs):
    cache.delete(CACHE_KEY)
