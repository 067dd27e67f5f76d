"""The line's village is now town.Village (the same table): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_called_off"),
        ("town", "0001_village_from_attractions"),
    ]

    operations = [
        # State only: the column and its foreign key constraint already reference the village table,
        # which kept its name (attractions_village) when the model moved.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="orderline",
                    name="village",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="town.village", verbose_name="village"),
                ),
            ],
        ),
    ]
