"""Producers' and products' villages are now town.Village (the same table): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0002_photoupload"),
        ("town", "0001_village_from_attractions"),
    ]

    operations = [
        # State only: the column and its foreign key constraint already reference the village table,
        # which kept its name (attractions_village) when the model moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="producer",
                    name="village",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="producers", to="town.village", verbose_name="village"),
                ),
                migrations.AlterField(
                    model_name="product",
                    name="origin_village",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="products", to="town.village", verbose_name="village of origin"),
                ),
            ],
        ),
    ]
