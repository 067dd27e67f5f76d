"""Filters for includes/map.html: a map's places apart from the facilities pinned near them
(markers with ``"kind": "facility"``, town.maps)."""

from django import template

register = template.Library()


@register.filter
def map_places(markers):
    return [marker for marker in markers or () if marker.get("kind") != "facility"]


@register.filter
def map_facilities(markers):
    return [marker for marker in markers or () if marker.get("kind") == "facility"]
