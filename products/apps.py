from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Farmers' shop")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own guard, in every process (web and task workers): it warns above this and
        # refuses twice this, so nothing past twice the upload limit is ever decoded here, whatever
        # the path (its default, 89 million pixels, would let 179 million through).
        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS

        # Here and in the handler below, not at the top: Django imports apps.py before any model
        # exists, and these modules import models.
        from orders.inventory import register_inventory
        from orders.lines import register_line_kind

        from .inventory import ProductInventory
        from .lines import ProductLine

        register_inventory(ProductInventory())
        register_line_kind(ProductLine())

        from orders.stay_suggestions import register_stay_suggestions

        from .selectors import deliveries_during

        register_stay_suggestions(deliveries_during)

        from .personal_data import register_section

        register_section()

        from django.db.models.signals import post_migrate

        post_migrate.connect(_set_up_moderation, sender=self, dispatch_uid="products_moderation")


def _set_up_moderation(sender, using="default", plan=None, **kwargs):
    """After ``migrate``: the shop's permissions exist, then the workflow and staff roles get them.
    (A data migration would be lost each time the app's migrations are squashed while in review.)

    Not after ``flush`` (no migration plan): the staff groups are gone then, and recreating them
    under new ids would clash with a test's serialized rollback restoring the originals.
    """
    if plan is None:
        return
    from django.contrib.auth.management import create_permissions

    from .services import ensure_product_workflow

    create_permissions(sender, verbosity=0, using=using)
    ensure_product_workflow()
