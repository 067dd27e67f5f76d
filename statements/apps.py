from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = _("Statements and payouts")

    def ready(self):
        # The terms each sale keeps (commission rate, supported household) come from here.
        from orders.sellers import register_terms

        from .services import sale_terms

        register_terms(sale_terms)
