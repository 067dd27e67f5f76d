from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live selling")

    def ready(self):
        # Here, not at the top: these modules import models.
        from orders.inventory import register_inventory
        from products.offers import register_offer

        from .inventory import PinInventory, SessionPriceOffer

        register_inventory(PinInventory())
        register_offer(SessionPriceOffer())
