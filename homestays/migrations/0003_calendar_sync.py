"""Calendar sync: a secret export token per room type, external calendars, imported closures.

The token is added in three steps (nullable, filled row by row, then unique) because a callable
default gives every existing row the same value when the column is added.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import homestays.models


def fill_tokens(apps, schema_editor):
    RoomType = apps.get_model("homestays", "RoomType")
    for room_type in RoomType.objects.filter(ical_token__isnull=True).only("pk"):
        RoomType.objects.filter(pk=room_type.pk).update(ical_token=homestays.models.new_ical_token())


class Migration(migrations.Migration):
    dependencies = [
        ("homestays", "0002_amenities"),
    ]

    operations = [
        migrations.AddField(
            model_name="roomtype",
            name="ical_token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="calendar export token"
            ),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="roomtype",
            name="ical_token",
            field=models.CharField(
                default=homestays.models.new_ical_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="calendar export token",
            ),
        ),
        migrations.CreateModel(
            name="ExternalCalendar",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Where the calendar comes from, e.g. Airbnb, Ctrip, Booking.com.",
                        max_length=100,
                        verbose_name="source",
                    ),
                ),
                (
                    "url",
                    models.URLField(
                        help_text="The iCalendar (.ics) export address the other platform gives you.",
                        max_length=1000,
                        validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                        verbose_name="calendar address",
                    ),
                ),
                (
                    "last_synced_at",
                    models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last synced"),
                ),
                ("last_error", models.TextField(blank=True, editable=False, verbose_name="last error")),
                (
                    "last_event_count",
                    models.PositiveIntegerField(default=0, editable=False, verbose_name="events imported"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "room_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="external_calendars",
                        to="homestays.roomtype",
                        verbose_name="room type",
                    ),
                ),
            ],
            options={
                "verbose_name": "external calendar",
                "verbose_name_plural": "external calendars",
                "ordering": ["room_type", "name", "pk"],
            },
        ),
        migrations.AddField(
            model_name="roomraterule",
            name="source",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="closures",
                to="homestays.externalcalendar",
                verbose_name="imported from",
            ),
        ),
        migrations.AddConstraint(
            model_name="externalcalendar",
            constraint=models.UniqueConstraint(
                fields=("room_type", "url"), name="homestays_externalcalendar_unique_url"
            ),
        ),
    ]
