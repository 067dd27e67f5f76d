"""Villages now live in town (town 0001): attractions' keys point there, and the model leaves
attractions' state. State only, after every other app's key has moved: the table and its rows
stay where they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("attractions", "0005_tourslot_origin_of_existing_slots"),
        ("events", "0006_village_in_town"),
        ("homestays", "0005_village_in_town"),
        ("orders", "0008_village_in_town"),
        ("products", "0003_village_in_town"),
        ("town", "0001_village_from_attractions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attractionpage",
                    name="village",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="attractions", to="town.village", verbose_name="village"),
                ),
                migrations.AlterField(
                    model_name="experiencepage",
                    name="village",
                    field=models.ForeignKey(blank=True, help_text="Empty: the meeting point's village.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="experiences", to="town.village", verbose_name="village"),
                ),
                migrations.DeleteModel(name="Village"),
            ],
        ),
    ]
