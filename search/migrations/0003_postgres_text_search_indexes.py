"""PostgreSQL only: GIN indexes over the entries' tokens with the ``simple`` text search
configuration, which the database backend matches against (``search/backends/database.py``).

``simple`` keeps every token as it is — no stemming, no stop words — as SQLite's FTS5 does, so
both databases match the same entries. Expression indexes, built from the rows already there:
nothing needs re-indexing. Nothing to do on SQLite (its FTS5 table is Wagtail's).
"""

from django.db import migrations

INDEXES = (
    ("sitesearch_entry_text_simple", "text"),
    ("sitesearch_entry_title_simple", "title"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON sitesearch_searchentry "
            f"USING gin (to_tsvector('simple'::regconfig, {column}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sitesearch", "0002_seed_synonyms")]

    operations = [migrations.RunPython(create, drop)]
