# The whole town's claims on a stay's nights, read from one index (homestay search at scale).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0010_orderline_names_in_the_visitors_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(
                fields=[
                    "kind",
                    "start_date",
                    "end_date",
                    "object_id",
                    "status",
                    "quantity",
                    "hold_expires_at",
                ],
                condition=models.Q(("quantity__gt", 0)),
                name="orders_res_kind_start_cover",
            ),
        ),
    ]
