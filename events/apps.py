from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Festivals and events")

    def ready(self):
        # Not at the top: Django imports apps.py before any model exists, and these modules
        # import models.
        from orders.inventory import register_inventory
        from orders.lines import register_line_kind

        from .inventory import TicketTypeInventory
        from .lines import TicketLine

        register_inventory(TicketTypeInventory())
        register_line_kind(TicketLine())

        from orders.stay_suggestions import register_stay_suggestions

        from .selectors import festival_days_during

        register_stay_suggestions(festival_days_during)
