from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "sitesearch"
    verbose_name = _("Search")

    def ready(self):
        # Each app declares what it indexes in its search_indexes.py (see search/registry.py).
        autodiscover_modules("search_indexes")
        # In ready(): signals imports the models, which exist only once every app is loaded.
        from . import signals

        signals.connect()
