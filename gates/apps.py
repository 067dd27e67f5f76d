from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "gates"
    verbose_name = _("Timed entry and crowding")

    def ready(self):
        # Here, not at the top: Django imports apps.py before any model exists.
        from orders.inventory import register_inventory
        from orders.lines import register_line_kind

        from .inventory import EntryDayInventory, EntryPassInventory, EntryWindowInventory
        from .lines import EntryLine
        from .personal_data import register_section

        register_inventory(EntryWindowInventory())
        register_inventory(EntryDayInventory())
        register_inventory(EntryPassInventory())
        register_line_kind(EntryLine())
        register_section()

        # The spot's page shows where to book, and the staff gate index lists the spot gates,
        # through town's registry: the places and the events' gate index do not import this app.
        from town.spots import register_entry, register_staff_gates

        from .selectors import entry_call, staff_gates

        register_entry(entry_call)
        register_staff_gates(staff_gates)
