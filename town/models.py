"""Villages (translatable snippets) and the coordinate helpers every place with a map pin uses."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import TranslatableMixin

from . import geo


def coordinate_fields():
    """Latitude/longitude pair (WGS-84), optional, with range checks and clear messages."""
    return (
        models.DecimalField(
            _("latitude"),
            max_digits=9,
            decimal_places=6,
            null=True,
            blank=True,
            validators=[geo.validate_latitude],
            help_text=_("WGS-84 (what a phone's GPS shows), -90 to 90, e.g. 29.612100."),
        ),
        models.DecimalField(
            _("longitude"),
            max_digits=9,
            decimal_places=6,
            null=True,
            blank=True,
            validators=[geo.validate_longitude],
            help_text=_("WGS-84, -180 to 180, e.g. 118.261800."),
        ),
    )


def clean_coordinates(obj):
    """Both coordinates or neither, each within range; errors attached to the field at fault."""
    errors, values = {}, {}
    for name, validator in (("latitude", geo.validate_latitude), ("longitude", geo.validate_longitude)):
        try:
            values[name] = obj._meta.get_field(name).to_python(getattr(obj, name))
            validator(values[name])
        except ValidationError as error:
            # A value that is not a number is reported once, by the field's own validation.
            if name in values:
                errors[name] = error
    if not errors and len(values) == 2 and (values["latitude"] is None) != (values["longitude"] is None):
        missing = "longitude" if values["longitude"] is None else "latitude"
        errors[missing] = ValidationError(_("Give both latitude and longitude, or neither."))
    if errors:
        raise ValidationError(errors)


def postal_address(text):
    return {"@type": "PostalAddress", "streetAddress": text, "addressCountry": "CN"}


class VillageQuerySet(models.QuerySet):
    def in_locale(self, locale=None):
        """The villages of ``locale`` (the default locale when None), by name: the choices of
        every village filter and dropdown."""
        from .translations import default_locale  # translations reads villages: imported on use

        return self.filter(locale=locale or default_locale()).order_by("name")


class Village(TranslatableMixin, models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    latitude, longitude = coordinate_fields()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Location")),
    ]

    objects = VillageQuerySet.as_manager()

    class Meta(TranslatableMixin.Meta):
        # The table keeps the name it had when villages lived in attractions: moving the model
        # then changed no schema, and every foreign key to it (orders, homestays, products,
        # events, attractions) stayed as it was. Renaming would rebuild those tables on SQLite.
        db_table = "attractions_village"
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["name"]
        constraints = [
            # Named for the table (constraint names are per database schema, not per app).
            models.UniqueConstraint(
                fields=["locale", "slug"], name="attractions_village_unique_slug_per_locale"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        clean_coordinates(self)
