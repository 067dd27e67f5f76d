"""Geography helpers: coordinate validation and great-circle distances (WGS-84, kilometres)."""

import math
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def validate_latitude(value):
    if value is None:
        return
    if not -90 <= value <= 90:
        raise ValidationError(
            _("Latitude must be between -90 and 90 degrees (got %(value)s)."),
            code="latitude_range",
            params={"value": value},
        )


def validate_longitude(value):
    if value is None:
        return
    if not -180 <= value <= 180:
        raise ValidationError(
            _("Longitude must be between -180 and 180 degrees (got %(value)s)."),
            code="longitude_range",
            params={"value": value},
        )


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance between two WGS-84 points in kilometres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lng2) - float(lng1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def path_length_km(points):
    """Length of a path through ``points`` ((lat, lng) pairs, in order), skipping missing ones."""
    known = [(lat, lng) for lat, lng in points if lat is not None and lng is not None]
    return sum(haversine_km(*a, *b) for a, b in zip(known, known[1:], strict=False))


def has_coordinates(obj):
    return obj.latitude is not None and obj.longitude is not None


def as_float(value):
    return float(value) if isinstance(value, Decimal | int | float) else value


# Links that open a place or a route in the visitor's map app (AMap, the map most phones in China
# carry; on a computer its web map). The points stay WGS-84: AMap shifts them itself when told so.
MAP_APP_BASE = "https://uri.amap.com"


def _point(lat, lng, name):
    return f"{float(lng):.6f},{float(lat):.6f},{name}"


def map_app_url(lat, lng, name=""):
    """A link that shows the point ``lat``, ``lng`` (WGS-84) named ``name`` in a map app."""
    query = urlencode(
        {
            "position": f"{float(lng):.6f},{float(lat):.6f}",
            "name": name,
            "coordinate": "wgs84",
            "callnative": "1",
        }
    )
    return f"{MAP_APP_BASE}/marker?{query}"


def route_app_url(points, mode="walk"):
    """A link that asks a map app for directions from the first to the last of ``points``
    ((lat, lng, name) in order, WGS-84); None with fewer than two."""
    known = [(lat, lng, name) for lat, lng, name in points if lat is not None and lng is not None]
    if len(known) < 2:
        return None
    query = {
        "from": _point(*known[0]),
        "to": _point(*known[-1]),
        "mode": mode,
        "coordinate": "wgs84",
        "callnative": "1",
    }
    if len(known) == 3:
        query["via"] = _point(*known[1])  # one waypoint is what the link carries
    return f"{MAP_APP_BASE}/navigation?{urlencode(query)}"
