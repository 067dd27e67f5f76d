"""Villages move from attractions to town without touching the database.

The model keeps its table (``db_table = "attractions_village"``) and its rows, so this migration
only tells Django's state that town now owns it; each app with a foreign key to it then points
the key at town.Village in the same state-only way, and attractions drops the model from its
state last (attractions 0006). Its content type row is renamed, not replaced, so the
permissions, group permissions and admin history that point at it by id keep working.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import town.geo


def rename_content_type(apps, schema_editor, old_app, new_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias).filter(model="village")
    # A fresh database has neither row yet (post_migrate makes town's after all migrations).
    if content_types.filter(app_label=old_app).exists():
        # A row under the new label can only be one post_migrate made after a migration back and
        # forth, with fresh permissions nobody holds: the old row, which the groups' permissions
        # and the admin history point at, takes its place.
        content_types.filter(app_label=new_app).delete()
        content_types.filter(app_label=old_app).update(app_label=new_app)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, "attractions", "town")


def backwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, "town", "attractions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("attractions", "0005_tourslot_origin_of_existing_slots"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Village",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("translation_key", models.UUIDField(default=uuid.uuid4, editable=False)),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("slug", models.SlugField(allow_unicode=True, max_length=100, verbose_name="slug")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        ("latitude", models.DecimalField(blank=True, decimal_places=6, help_text="WGS-84 (what a phone's GPS shows), -90 to 90, e.g. 29.612100.", max_digits=9, null=True, validators=[town.geo.validate_latitude], verbose_name="latitude")),
                        ("longitude", models.DecimalField(blank=True, decimal_places=6, help_text="WGS-84, -180 to 180, e.g. 118.261800.", max_digits=9, null=True, validators=[town.geo.validate_longitude], verbose_name="longitude")),
                        ("locale", models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="wagtailcore.locale", verbose_name="locale")),
                    ],
                    options={
                        "verbose_name": "village",
                        "verbose_name_plural": "villages",
                        "db_table": "attractions_village",
                        "ordering": ["name"],
                        "abstract": False,
                        "constraints": [models.UniqueConstraint(fields=("locale", "slug"), name="attractions_village_unique_slug_per_locale")],
                        "unique_together": {("translation_key", "locale")},
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
