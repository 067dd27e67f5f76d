"""The reports own no data: every figure is aggregated from orders, stays, slots and producers.

``TownReport`` exists only to carry the permission that opens the reports and the dashboard
panel, so the tourism office's group can be given it like any other model permission.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TownReport(models.Model):
    class Meta:
        managed = False  # no table: a holder for the permission
        default_permissions = ("view",)
        verbose_name = _("town report")
        verbose_name_plural = _("town reports")

    def __str__(self):
        return str(self._meta.verbose_name)
