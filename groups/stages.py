"""School stages a study-tour programme suits (小学低年级 … 成人): a JSON list of stage codes,
edited as checkboxes, with a bit mask beside it so "for junior middle school" is one bitwise AND
in SQL (as ``town.months`` does for the months in season)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class AgeGroup(models.TextChoices):
    LOWER_PRIMARY = "lower_primary", _("Primary school, grades 1–3 (6–9)")
    UPPER_PRIMARY = "upper_primary", _("Primary school, grades 4–6 (9–12)")
    JUNIOR = "junior", _("Junior middle school (12–15)")
    SENIOR = "senior", _("Senior middle school (15–18)")
    ADULT = "adult", _("University and adults")


ORDER = list(AgeGroup.values)


def clean_age_groups(value):
    """``value`` as the distinct stage codes in school order; ValidationError for anything else."""
    if value in (None, ""):
        return []
    if not isinstance(value, (list, tuple)) or any(code not in ORDER for code in value):
        raise ValidationError(_("Age groups must be a list of: %(codes)s.") % {"codes": ", ".join(ORDER)})
    return [code for code in ORDER if code in value]


def validate_age_groups(value):
    clean_age_groups(value)


def age_mask(codes):
    mask = 0
    for code in codes or []:
        mask |= 1 << ORDER.index(code)
    return mask


def for_age_group(queryset, code, field="age_mask"):
    """The rows of ``queryset`` suited to the stage ``code``."""
    return queryset.alias(_age_bits=F(field).bitand(age_mask([code]))).filter(_age_bits__gt=0)


class AgeGroupsField(models.JSONField):
    """A JSON list of stage codes, edited as checkboxes."""

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            label=kwargs.get("label", self.verbose_name),
            required=not self.blank,
            choices=AgeGroup.choices,
            widget=forms.CheckboxSelectMultiple,
            help_text=self.help_text,
        )
