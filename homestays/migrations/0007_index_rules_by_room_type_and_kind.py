# Closures and minimum stays of one room type on a stay's nights, read from one index (homestay
# search walking its candidates); the whole town's are no longer read, so their index goes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("homestays", "0006_index_rules_by_kind_and_last_night"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="roomraterule", name="homestays_rule_kind_end"),
        migrations.AddIndex(
            model_name="roomraterule",
            index=models.Index(
                fields=["room_type", "kind", "end_date", "start_date", "min_nights"],
                name="homestays_rule_type_kind_end",
            ),
        ),
    ]
