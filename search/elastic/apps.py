from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElasticSearchConfig(AppConfig):
    """Keeps the Elasticsearch documents current (a no-op while ``ELASTICSEARCH_URL`` is unset)."""

    name = "search.elastic"
    label = "search_elastic"
    verbose_name = _("Search on Elasticsearch")

    def ready(self):
        # In ready(): signals imports the models, which exist only once every app is loaded.
        from . import signals

        signals.connect()
