"""Seed the fixed set of amenities; labels come from AmenityCode, so only codes are stored."""

from django.db import migrations

CODES = [
    "wifi",
    "parking",
    "breakfast",
    "air_conditioning",
    "heating",
    "kitchen",
    "pets_allowed",
    "step_free",
    "private_bathroom",
    "garden",
    "farm_activities",
    "pickup",
]


def seed(apps, schema_editor):
    Amenity = apps.get_model("homestays", "Amenity")
    for order, code in enumerate(CODES):
        Amenity.objects.update_or_create(code=code, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("homestays", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
