# One thing's claims on a stay's nights, read from one index (homestay search walking its candidates);
# the whole town's claims by first night are no longer read, so their index goes.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0015_call_off_report"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reservation", name="orders_res_kind_start_cover"),
        migrations.AddIndex(
            model_name="reservation",
            index=models.Index(
                fields=[
                    "kind",
                    "object_id",
                    "start_date",
                    "end_date",
                    "status",
                    "hold_expires_at",
                    "quantity",
                ],
                name="orders_res_obj_start_cover",
            ),
        ),
    ]
