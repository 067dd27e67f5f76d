"""Facilities as the maps and /now/ show them: read once per content version (a facility edit in
the admin bumps it, town.cache.CONTENT_APPS), so a warm page costs no query for them."""

from django.utils import translation

from town import geo
from town.cache import cached

from .models import Facility

# How far from a place a facility is still worth pinning on its map.
NEAR_KM = 1.0


def all_facilities():
    """Every facility, in the active language's names (plain dicts, cacheable)."""

    def compute():
        rows = []
        for facility in Facility.objects.order_by("kind", "name", "pk"):
            rows.append(
                {
                    "id": facility.pk,
                    "kind": facility.kind,
                    "kind_label": str(facility.get_kind_display()),
                    "mark": str(facility.mark),
                    "name": facility.shown_name,
                    "accessible": facility.accessible,
                    "lat": float(facility.latitude),
                    "lng": float(facility.longitude),
                    "opening_hours": facility.opening_hours,
                    "map_url": geo.map_app_url(facility.latitude, facility.longitude, facility.shown_name),
                }
            )
        return rows

    return cached(("scenic-facilities", translation.get_language()), compute)


def as_marker(row):
    label = row["kind_label"]
    if row["accessible"]:
        label = f"{label} ♿"
    return {
        "lat": row["lat"],
        "lng": row["lng"],
        "title": f"{row['name']} · {label}",
        "label": row["mark"],
        "kind": "facility",
    }


def facility_markers_near(points, within_km=NEAR_KM):
    """Markers of the facilities within ``within_km`` of any of ``points`` ((lat, lng) pairs)."""
    found = []
    for row in all_facilities():
        if any(geo.haversine_km(lat, lng, row["lat"], row["lng"]) <= within_km for lat, lng in points):
            found.append(as_marker(row))
    return found
