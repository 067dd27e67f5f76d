from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders and reservations")

    def ready(self):
        # Every log-in (allauth's included: it goes through django.contrib.auth.login) merges the
        # session's anonymous basket into the account's.
        # In ready(), not at the top: Django imports apps.py before any model exists, and the
        # basket imports models.
        from django.contrib.auth.signals import user_logged_in

        from .basket import merge_on_login
        from .payments import alipay_provider  # noqa: F401 (registers its system check)

        user_logged_in.connect(merge_on_login, dispatch_uid="orders_merge_baskets")

        from .personal_data import register_section

        register_section()
