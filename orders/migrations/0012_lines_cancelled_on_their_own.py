# A line cancelled on its own keeps who cancelled it and what that gave back; tickets given back
# some at a time become a cancelled line of their own, pointing to the line that keeps the rest.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0011_index_claims_by_first_night'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='orderline',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AddField(
            model_name='orderline',
            name='refund_fen',
            field=models.PositiveBigIntegerField(default=0, verbose_name='refunded on cancelling (fen)'),
        ),
        migrations.AddField(
            model_name='orderline',
            name='split_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='cancelled_parts', to='orders.orderline', verbose_name='split from'),
        ),
    ]
