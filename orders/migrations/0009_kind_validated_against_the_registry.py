# The kind fields take any kind an app registered (orders.inventory.validate_kind) instead of a
# fixed list of choices, so a new kind needs no migration here. No data changes.

import orders.inventory
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0008_village_in_town'),
    ]

    operations = [
        migrations.AlterField(
            model_name='basketline',
            name='kind',
            field=models.CharField(max_length=16, validators=[orders.inventory.validate_kind], verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='orderline',
            name='kind',
            field=models.CharField(max_length=16, validators=[orders.inventory.validate_kind], verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='reservation',
            name='kind',
            field=models.CharField(max_length=16, validators=[orders.inventory.validate_kind], verbose_name='kind'),
        ),
    ]
