from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomestaysConfig(AppConfig):
    name = "homestays"
    verbose_name = _("Homestays")

    def ready(self):
        # Here and in the handler below, not at the top: Django imports apps.py before any
        # model exists, and these modules import models.
        from orders.inventory import register_inventory
        from orders.lines import register_line_kind

        from .inventory import RoomTypeInventory
        from .lines import StayLine

        register_inventory(RoomTypeInventory())
        register_line_kind(StayLine())

        from .personal_data import register_section

        register_section()

        from wagtail.signals import page_published

        page_published.connect(_grant_host_access_on_publish, dispatch_uid="homestays_host_access")


def _grant_host_access_on_publish(sender, instance, **kwargs):
    from .models import HomestayPage
    from .services import grant_host_access

    if isinstance(instance, HomestayPage):
        grant_host_access(instance)
