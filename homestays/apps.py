from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomestaysConfig(AppConfig):
    name = "homestays"
    verbose_name = _("Homestays")
