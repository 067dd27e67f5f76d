"""The months something is in season (produce, picking tours): a JSON list of month numbers,
edited as twelve checkboxes, with a bit mask kept beside it so "in season in May" is one
bitwise AND in SQL on every database."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import dates
from django.utils.translation import gettext_lazy as _

MONTHS = range(1, 13)
MONTH_NAMES = dates.MONTHS


def clean_months(value):
    """``value`` as a sorted list of distinct month numbers; digit strings (form checkboxes) are
    accepted. Raises ValidationError for anything else."""
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError(_("Months in season must be a list of month numbers from 1 to 12."))
    months = set()
    for month in value:
        if isinstance(month, str) and month.strip().isdigit():
            month = int(month.strip())
        if isinstance(month, bool) or not isinstance(month, int) or month not in MONTHS:
            raise ValidationError(_("Months in season must be a list of month numbers from 1 to 12."))
        months.add(month)
    return sorted(months)


def validate_months(value):
    clean_months(value)


def season_mask(months):
    """Bit ``m`` set for each month ``m``: "in season in May" is then one bitwise AND in SQL on
    every database (JSON containment is not portable to SQLite)."""
    mask = 0
    for month in months or []:
        mask |= 1 << month
    return mask


class MonthsField(models.JSONField):
    """A JSON list of month numbers, edited as twelve checkboxes (admin and dashboard forms)."""

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            label=kwargs.get("label", self.verbose_name),
            required=False,
            coerce=int,
            choices=[(m, MONTH_NAMES[m]) for m in MONTHS],
            widget=forms.CheckboxSelectMultiple,
            help_text=self.help_text,
        )


def months_between(first_day, last_day) -> list[int]:
    """The month numbers of the days [first_day, last_day] (at most twelve)."""
    months, year, month = [], first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month) and len(months) < 12:
        months.append(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def in_season(queryset, months, field="season_mask"):
    """The rows of ``queryset`` in season in any of ``months``; an empty mask means all year."""
    if not months:
        return queryset
    return queryset.alias(_in_season_bits=F(field).bitand(season_mask(months))).filter(
        Q(**{field: 0}) | Q(_in_season_bits__gt=0)
    )
