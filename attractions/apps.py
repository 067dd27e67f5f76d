from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttractionsConfig(AppConfig):
    name = "attractions"
    verbose_name = _("Attractions, routes and experiences")

    def ready(self):
        # Here and in the handlers below, not at the top: Django imports apps.py before any
        # model exists, and these modules import models.
        from orders.inventory import register_inventory
        from orders.lines import register_line_kind

        from .inventory import TourSlotInventory
        from .lines import TourLine

        register_inventory(TourSlotInventory())
        register_line_kind(TourLine())

        from orders.stay_suggestions import register_stay_suggestions

        from .selectors import tours_during

        register_stay_suggestions(tours_during)

        from wagtail.signals import page_published

        page_published.connect(_generate_slots_on_publish, dispatch_uid="attractions_slots_on_publish")


def _generate_slots_on_publish(sender, instance, **kwargs):
    from wagtail.models import Locale

    from .models import ExperiencePage

    # Only default-locale pages own slots; a translation's publish leaves them alone.
    if isinstance(instance, ExperiencePage) and instance.locale_id == Locale.get_default().pk:
        from .tasks import generate_tour_slots

        generate_tour_slots.enqueue(instance.pk)
