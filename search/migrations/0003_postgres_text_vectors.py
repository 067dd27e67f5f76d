"""PostgreSQL only: the entries' tokens as stored ``tsvector`` columns with the ``simple`` text
search configuration, and GIN indexes on them, which the database backend matches against
(``search/backends/database.py``).

``simple`` keeps every token as it is — no stemming, no stop words — as SQLite's FTS5 does, so
both databases match the same entries. Generated columns: PostgreSQL keeps them in step with
``text`` and ``title`` on every write and fills them for the rows already there, so nothing needs
re-indexing; and a search never parses text (``to_tsvector`` over every row a plan visits costs
a second at 10,000 entries). Not model fields: only the backend's PostgreSQL SQL reads them.
Nothing to do on SQLite (its FTS5 table is Wagtail's).

Also drops the index on ``language`` (both databases): two or three values, never selective, and
PostgreSQL preferred it to the GIN index, testing every entry's vector.
"""

from django.db import migrations, models

TABLE = "sitesearch_searchentry"
VECTORS = (("text_vector", "text"), ("title_vector", "title"))


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for vector, column in VECTORS:
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD COLUMN {vector} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {column})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX sitesearch_entry_{vector} ON {TABLE} USING gin ({vector})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for vector, _column in VECTORS:
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {vector}")


class Migration(migrations.Migration):
    dependencies = [("sitesearch", "0002_seed_synonyms")]

    operations = [
        migrations.AlterField(
            model_name="searchentry",
            name="language",
            field=models.CharField(max_length=16, verbose_name="language"),
        ),
        migrations.RunPython(create, drop),
    ]
