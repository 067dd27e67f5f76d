# Each ticket type has its own cancellation policy (flexible, as every ticket had until now).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0006_village_in_town'),
    ]

    operations = [
        migrations.AddField(
            model_name='tickettype',
            name='cancellation_policy',
            field=models.CharField(choices=[('flexible', 'Flexible'), ('moderate', 'Moderate'), ('strict', 'Strict')], default='flexible', help_text='How much of the price comes back when a visitor gives tickets back.', max_length=16, verbose_name='cancellation policy'),
        ),
    ]
