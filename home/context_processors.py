from django.conf import settings


def site_shell(request):
    """What every page of the shell needs: map tile provider and whether demo logins show."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MAP_TILE_COORDS": settings.MAP_TILE_COORDS,
        "MAP_TILE_SUBDOMAINS": getattr(settings, "MAP_TILE_SUBDOMAINS", "abc"),
        "DEMO_LOGINS_VISIBLE": getattr(settings, "DEMO_LOGINS_VISIBLE", False),
    }
