# Closures and minimum stays touching a stay's nights, for the whole town, read from one index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("homestays", "0005_village_in_town"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="roomraterule",
            index=models.Index(
                fields=["kind", "end_date", "start_date", "room_type", "min_nights"],
                name="homestays_rule_kind_end",
            ),
        ),
    ]
