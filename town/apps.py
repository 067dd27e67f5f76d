from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownConfig(AppConfig):
    name = "town"
    verbose_name = _("The town: villages and shared parts")

    def ready(self):
        # In ready(), as Django advises for what connects signals: every app is loaded by then.
        from . import cache, checks, page_cache  # noqa: F401 (checks registers itself)

        cache.connect_signals()
        page_cache.connect_signals()
