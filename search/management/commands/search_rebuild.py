"""Rebuild search from scratch, with a progress bar on stderr.

    python manage.py search_rebuild                      # everything
    python manage.py search_rebuild --kind homestay --kind product

Without ``--kind``: Wagtail's own index (page search in the admin, images, documents — what
``update_index`` does) and then every registered search kind. With ``--kind``: only those kinds.
A kind goes to Elasticsearch when ``ELASTICSEARCH_URL`` is set (a new index per kind, the alias
swapped at the end, so searches never see a half-built index), else to the database backend's
``SearchEntry`` rows.
"""

import time

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from search import indexing
from search.elastic import conf
from search.elastic import indexing as elastic_indexing
from search.models import SearchEntry, SearchFacet
from search.registry import all_kinds, get_kind

CHUNK_SIZE = 1000
BAR_WIDTH = 24


class Progress:
    """A one-line bar per step on a terminal; on a pipe, a line at each tenth and at the end."""

    def __init__(self, stream, enabled=True):
        self.stream = stream
        self.enabled = enabled
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last_tenth = {}
        self._finished = set()

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        total = max(total, done)
        percent = 100 if total == 0 else int(done * 100 / total)
        filled = BAR_WIDTH if total == 0 else int(done * BAR_WIDTH / total)
        line = f"{label:<40} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>7,}/{total:,} {percent:>3}%"
        finished = done >= total
        if finished and label in self._finished:
            return
        if finished:
            self._finished.add(label)
        if self.tty:
            self._write("\r" + line + ("\n" if finished else ""))
        else:
            tenth = percent // 10
            if finished or tenth > self._last_tenth.get(label, -1):
                self._last_tenth[label] = tenth
                self._write(line + "\n")
        self.stream.flush()

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            # No newline of its own after "\r", and not in the error colour Django gives stderr.
            self.stream.write(text, style_func=str, ending="")
        else:
            self.stream.write(text)


class Command(BaseCommand):
    help = "Rebuild the search indexes (Wagtail's and every search kind's), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Rebuild only this search kind (repeatable), e.g. homestay, event, product.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Print only the summary, no progress bar."
        )

    def handle(self, *args, **options):
        kinds = self._kinds(options["kinds"])
        progress = Progress(self.stderr, enabled=options["verbosity"] > 0 and not options["no_progress"])
        started = time.monotonic()
        parts = []
        if not options["kinds"]:
            wagtail = self.rebuild_wagtail(progress)
            parts.append(f"Wagtail's index {sum(wagtail.values()):,} objects")
        counts = self.rebuild_kinds(kinds, progress)
        parts.extend(f"{name} {count:,}" for name, count in counts.items())
        analyse_search_tables()
        elapsed = time.monotonic() - started
        self.stdout.write(f"Search rebuilt in {elapsed:.1f} s: {', '.join(parts) or 'nothing to index'}.")

    @staticmethod
    def _kinds(names):
        if not names:
            return all_kinds()
        unknown = [name for name in names if get_kind(name) is None]
        if unknown:
            known = ", ".join(k.kind for k in all_kinds())
            raise CommandError(f"Unknown search kind: {', '.join(unknown)}. Known kinds: {known}.")
        return [get_kind(name) for name in dict.fromkeys(names)]

    def rebuild_wagtail(self, progress) -> dict[str, int]:
        """What ``update_index`` does, for every indexed model but the search entries (rebuilt
        from the registry right after, so indexing them twice would only cost time)."""
        from modelsearch.index import get_indexed_models
        from modelsearch.management.commands.rebuild_modelsearch_index import group_models_by_index
        from wagtail.search.backends import get_search_backend

        backend = get_search_backend()
        counts = {}
        if not backend.rebuilder_class:
            return counts
        models = [m for m in get_indexed_models() if not issubclass(m, SearchEntry)]
        for index, index_models in group_models_by_index(backend, models).items():
            rebuilder = backend.rebuilder_class(index)
            # The database rebuilders prune stale rows of every indexed model here (the search
            # entries' too: they are re-created right after) and refresh title norms at the end.
            index = rebuilder.start()
            for model in index_models:
                index.add_model(model)
            for model in index_models:
                label = f"wagtail {model._meta.label_lower}"
                queryset = model.get_indexed_objects().order_by("pk")
                total, done = queryset.count(), 0
                progress.update(label, done, total)
                for chunk in _chunks(queryset):
                    index.add_items(model, chunk)
                    done += len(chunk)
                    progress.update(label, done, total)
                counts[label] = done
            rebuilder.finish()
        return counts

    def rebuild_kinds(self, kinds, progress) -> dict[str, int]:
        if conf.is_enabled():
            counts = {}
            for kind in kinds:
                counts[kind.kind] = elastic_indexing.rebuild_kind(
                    kind, lambda k, done, total: progress.update(f"elasticsearch {k.kind}", done, total)
                )
            return counts

        if not indexing.database_backend_active():
            return {}
        counts = {}
        for kind in kinds:
            label = f"database {kind.kind}"
            total = kind.live_queryset().count()
            progress.update(label, 0, total)
            counts[kind.kind] = indexing.rebuild(
                [kind], lambda _kind, done, label=label, total=total: progress.update(label, done, total)
            )
            progress.update(label, counts[kind.kind], counts[kind.kind])
        return counts


def analyse_search_tables() -> None:
    """Fresh planner statistics for the tables a database search reads, on PostgreSQL.

    A rebuild rewrites them all; until they are analysed the planner takes a table of 10,000
    entries for one of a few dozen rows and picks nested loops that cost seconds per search
    (autovacuum's analyse comes later — or never, where it is switched off).

    The token vectors' GIN indexes (migration 0003) are also cleared of their pending lists: GIN
    queues new rows in a list that every search reads through in full until autovacuum merges
    it, and a rebuild queues every entry (after one at 10,000 entries, each look-up of 民宿 took
    11 ms in the list against 0.6 ms in the index)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    from modelsearch.conf import get_app_config

    tables = [
        SearchEntry._meta.db_table,
        SearchFacet._meta.db_table,
        get_app_config().get_model("IndexEntry")._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(%s::regclass), gin_clean_pending_list(%s::regclass)",
            ["sitesearch_entry_text_vector", "sitesearch_entry_title_vector"],
        )
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _chunks(queryset):
    """The queryset in lists of ``CHUNK_SIZE`` (ordered by pk, so no row is skipped or repeated)."""
    offset = 0
    while True:
        items = list(queryset[offset : offset + CHUNK_SIZE])
        if not items:
            return
        yield items
        offset += CHUNK_SIZE
