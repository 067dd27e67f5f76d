"""The published reviews' rating kept on a reviewed thing (a homestay, an experience, a product),
so listings sort and show it without reading the reviews. Written by ``reviews.services`` only."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def rating_fields():
    """``review_count`` and ``rating_average`` (1.00–5.00, empty while nothing is published)."""
    return (
        models.PositiveIntegerField(_("published reviews"), default=0, editable=False),
        models.DecimalField(
            _("average rating"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
        ),
    )
