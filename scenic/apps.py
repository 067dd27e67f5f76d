from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScenicConfig(AppConfig):
    name = "scenic"
    verbose_name = _("Scenic area")

    def ready(self):
        # Facilities join the maps the places draw (attraction and route pages) through town's
        # registry: the places sit below this app and do not import it.
        from town.maps import register_map_layer

        from .facilities import facility_markers_near

        register_map_layer(facility_markers_near)
