from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The default tiles' credit (OpenStreetMap's licence asks for it), in the visitor's language.
OPENSTREETMAP_CREDIT = _("© OpenStreetMap contributors")


def site_shell(request):
    """What every page of the shell needs: map tile provider and whether demo logins show."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION or OPENSTREETMAP_CREDIT,
        "MAP_TILE_COORDS": settings.MAP_TILE_COORDS,
        "MAP_TILE_SUBDOMAINS": getattr(settings, "MAP_TILE_SUBDOMAINS", "abc"),
        "DEMO_LOGINS_VISIBLE": getattr(settings, "DEMO_LOGINS_VISIBLE", False),
    }
