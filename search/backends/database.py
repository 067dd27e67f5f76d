"""The default backend: the database's own full text search over ``SearchEntry`` rows, whose text
is the jieba/pinyin token string of ``search.text`` — SQLite FTS5 through Wagtail's database search,
PostgreSQL through stored ``tsvector`` columns of our own with GIN indexes (migration ``0003``) in
the ``simple`` configuration: the tokens as they are, as SQLite's FTS5 sees them.

Why not Wagtail's PostgreSQL index: it stems and drops English stop words (the server's
``english`` configuration), which SQLite does not, so the two databases matched different pages —
"tea house" stopped at a page with "teahouses" through the joined word "teahouse" on PostgreSQL
and found "Riverside Tea House" on SQLite; "inn above" lost "above" and fell back to any word —
and it ordered ties with ``ts_rank`` (SQLite with bm25), computed for every hit through a join on
a text cast of the primary key. Both databases now match the same tokens and order by the same
score (``_rank``, ``_page``), so the same query gives the same results on both. The score's
"has this token" tests are a LIKE on the tokens on SQLite and a look-up in the stored vectors on
PostgreSQL (``_has_token``): the same answer, each database's cheap form.

Matching runs in steps, each used only when the one before finds nothing:
1. every query word (or one of its alternatives: pinyin, synonyms, the joined Latin run) — AND;
2. any query word — OR;
3. the words as typed with the last one as a prefix, for partial words;
4. any character of the Chinese words (蜂蜜 → 蜂 or 蜜, so 茶花蜜 is found).
(Spaced Latin words are first tried joined: "tao hua" → taohua.)
Filters (kinds, facets, distance) and facet counts are SQL over the matched rows: a fixed number
of queries per search, whatever the number of hits. Per search: one ``EXISTS`` per attempt
tried, the counts by kind, the page and the facet counts (on PostgreSQL after one statement
setting how they are planned: ``_planned_through_the_index``).

The page is one statement (``_page``): ``_rank`` of a bounded set of the matched rows — the first
``RANK_CANDIDATES`` by the score's title part, which reads no text — ordered and cut to the page
in a subquery, and only the rows of that page read whole. Never a relevance function over an
index row.
"""

import hashlib
import math
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Or, PlainText

from town.page_cache import cached_showing, shows, stock_tag

from ..highlight import highlight
from ..models import INDEX_STOCK, SearchEntry, SearchFacet
from ..registry import get_kind
from ..service import FacetValue, Hit, SearchRequest, SearchResults, empty_results
from ..synonyms import synonym_map
from ..text import (
    _LATIN_WORD,
    MAX_QUERY_WORDS,
    _segment,
    characters_query,
    is_han,
    pinyin_alternatives,
    query_groups,
    query_terms,
)

KM_PER_DEGREE = 111.32
# Facet counts are taken over at most this many of the hits (the oldest entries), so their cost
# stays bounded whatever the number of hits: a common word (民宿: 3,000 hits at 10,000 entries)
# joined every hit to its facet rows. Beyond it the counts are marked as counted among them
# (``SearchResults.facets_among``). Both databases count the same rows.
FACET_CANDIDATES = 1000
# Hits ranked whole: the first this many by the rank's title part (``_page``); the hits past them
# follow in that order. Five pages of 20; the cost of a page no longer grows with the hits.
RANK_CANDIDATES = 100
# PostgreSQL's text search configuration for the site search: no stemming, no stop words (see
# the module's docstring). Migration 0003 stores ``to_tsvector('simple', text)`` (and ``title``)
# as ``text_vector`` (``title_vector``), with GIN indexes.
PG_CONFIG = "simple"


def popular_searches() -> list[str]:
    return list(getattr(settings, "TIANYUAN_POPULAR_SEARCHES", []))


def _query_words(q: str) -> list[str]:
    return list(dict.fromkeys(_segment(q, search_mode=False)))[:MAX_QUERY_WORDS]


class Attempt(NamedTuple):
    """One way of matching a query: every group (one of its terms) must be present; with
    ``prefix``, the last group's one term may also begin a word."""

    kind: str  # "joined", "and", "or", "prefix" or "characters"
    groups: list[list[str]]
    prefix: bool = False


def _or(terms: list[str]):
    queries = [PlainText(t) for t in terms]
    return queries[0] if len(queries) == 1 else Or(queries)


def _sqlite_match(attempt: Attempt, base, field: str):
    """The entries of ``base`` that ``attempt`` matches in SQLite's FTS5 table (Wagtail's index)
    through ``field`` ("text": the whole entry, "title": its title only).

    Read from Wagtail's FTS5 table with its own compiler (same MATCH expression) but as a list
    subquery run once per statement: Wagtail's own queryset scores every row with a subquery
    that re-runs the match (and bm25's statistics) once per row.
    """
    from modelsearch.backends.database.sqlite.query import MatchExpression, SQLiteFTSIndexEntry, normalize

    backend = get_search_backend()
    fields = ["title"] if field == "title" else None
    if attempt.prefix:
        words = " ".join(group[0] for group in attempt.groups)
        results = backend.autocomplete(words, base, fields=fields, operator="and")
    elif len(attempt.groups) > 1:
        results = backend.search(And([_or(g) for g in attempt.groups]), base, fields=fields)
    else:
        results = backend.search(_or(attempt.groups[0]), base, fields=fields)
    compiler = results.query_compiler
    config = compiler.get_config(backend)
    search_query = compiler.build_search_query(normalize(compiler.query), config=config)
    match = MatchExpression(compiler.fields or compiler.FTS_TABLE_FIELDS, search_query)
    content_type_id = ContentType.objects.get_for_model(SearchEntry).pk
    # "content_type_id + 0": no index on it, so SQLite drives the join from the FTS5 match (a
    # scan of the matching rows) instead of probing the FTS table once per index entry.
    rows = (
        SQLiteFTSIndexEntry.objects.filter(match)
        .alias(_content_type=F("index_entry__content_type_id") + 0)
        .filter(_content_type=content_type_id)
        .annotate(obj=Cast("index_entry__object_id", BigIntegerField()))
    )
    return base.filter(pk__in=rows.values("obj"))


def _tsquery(attempt: Attempt) -> str:
    """``attempt`` as PostgreSQL ``tsquery`` text: groups AND-ed, a group's terms OR-ed, each
    term a quoted lexeme (``:*`` for the prefix)."""

    def lexeme(term: str, prefix: bool = False) -> str:
        quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + (":*" if prefix else "")

    last = len(attempt.groups) - 1
    parts = []
    for index, group in enumerate(attempt.groups):
        terms = [lexeme(t, attempt.prefix and index == last) for t in group]
        parts.append(terms[0] if len(terms) == 1 else "(" + " | ".join(terms) + ")")
    return " & ".join(parts)


class _Matches(Func):
    """``<column>_vector @@ to_tsquery('simple', query)``: the stored ``to_tsvector('simple',
    column)`` of migration 0003, answered from its GIN index.

    With ``lexemes``, ``query`` is read as ``tsquery`` text as it stands (``query::tsquery``):
    a constant the planner reads once, where ``to_tsquery`` is parsed again for every row it
    tests (twice the cost in a rank over thousands of rows). Only for queries of our own tokens,
    each one lexeme of the ``simple`` parser (lowercase letters and digits, or Chinese).
    """

    output_field = BooleanField()

    def __init__(self, column: str, query: str, lexemes: bool = False):
        super().__init__(F(column))
        self.column, self.query, self.lexemes = column, query, lexemes

    def as_sql(self, compiler, connection, **extra_context):
        # The column as compiled (with this statement's table alias), its vector's name instead.
        column, params = compiler.compile(self.source_expressions[0])
        name = connection.ops.quote_name(self.column)
        vector = column[: -len(name)] + connection.ops.quote_name(f"{self.column}_vector")
        if self.lexemes:
            return f"{vector} @@ %s::tsquery", [*params, self.query]
        return f"{vector} @@ to_tsquery('{PG_CONFIG}'::regconfig, %s)", [*params, self.query]


def _entries_matching(attempt: Attempt, base, field: str = "text"):
    """The entries of ``base`` (unordered) that ``attempt`` matches through ``field``."""
    if connection.vendor == "sqlite":
        return _sqlite_match(attempt, base, field)
    return base.filter(_Matches(field, _tsquery(attempt)))


def _has_token(column: str, term: str, open_end: bool = False) -> Q:
    """The entry's ``column`` ("title" or "text") has the token ``term`` (with ``open_end``, a
    token beginning with it): the same test on both databases, each in its cheapest form.

    SQLite: a LIKE on the tokens with a space either side (``_title_tokens`` / ``_text_tokens``,
    see ``DatabaseBackend._page``). PostgreSQL: the stored token vector (migration 0003) holds
    it — a look-up in a sorted array, where the LIKE built the padded string again for every
    test and read a long text whole (35 ms for the 3,000 hits of 民宿 at 10,000 entries).
    """
    if connection.vendor == "postgresql":
        return Q(_Matches(column, _tsquery(Attempt("and", [[term]], prefix=open_end)), lexemes=True))
    needle = f" {term}" if open_end else f" {term} "
    return Q(**{f"_{column}_tokens__contains": needle})


@contextmanager
def _planned_through_the_index():
    """PostgreSQL: the search's statements in one transaction that plans them without sequential
    or plain index scans, so the matches come from the GIN index of the token vectors (bitmap
    scans).

    PostgreSQL costs ``@@`` like an addition and expects most rows to match any query of several
    alternatives (it multiplies their chances as if independent): it then reads every entry and
    tests its vector (50 ms at 10,000 entries for 草莓, whose 863 hits the index gives in 2 ms).
    The settings are local to the transaction: no other statement is planned this way.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # No savepoint inside a transaction already open (a test's): the setting lasts until its end.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # Nor a plain index scan: the pk's index read in full, testing every vector.
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true)"
            )
        yield


class Ranking(NamedTuple):
    """Our own score of an entry (``DatabaseBackend._rank``) and its title part."""

    rank: object  # expression: the whole score
    title: object  # expression: the score less 1 per query word found in the text alone


class Matched(NamedTuple):
    """The entries an attempt matched (unordered) and our own rank of them."""

    entries: object  # SearchEntry queryset
    rank: Ranking
    by: str


class DatabaseBackend:
    def __init__(self):
        # Which attempt matched the last query: "and", "joined", "or", "prefix" or "characters".
        self.matched_by = ""

    # -- matching -------------------------------------------------------------------------

    def _base(self, language: str):
        return SearchEntry.objects.filter(language__in=[language, ""])

    def _queries(self, q: str) -> list[Attempt]:
        """The attempts for ``q``, in the order they are tried."""
        groups = query_groups(q, synonym_map())
        if not groups:
            return []
        words = _query_words(q)
        attempts = [Attempt("and", groups)]
        if len(words) > 1 and all(_LATIN_WORD.match(w) for w in words):
            # "tao hua": the joined word first, so 桃花 outranks pages with "tao" and "hua" apart.
            attempts.insert(0, Attempt("joined", [["".join(words)]]))
        if len(groups) > 1:
            attempts.append(Attempt("or", [list(dict.fromkeys(t for g in groups for t in g))]))
        if words and _LATIN_WORD.match(words[-1]):
            # Prefix search only makes sense for a Latin last word ("straw", "caom").
            attempts.append(Attempt("prefix", [[w] for w in words], prefix=True))
        characters = characters_query(q)
        if characters:
            # 蜂蜜 finds 茶花蜜 (indexed with each character: search.text.tokens).
            attempts.append(Attempt("characters", [characters.split()]))
        return attempts

    def match(self, q: str, language: str) -> Matched | None:
        """What ``q`` matches (the first attempt that finds anything), or ``None`` when ``q``
        has no words. One cheap ``EXISTS`` query per attempt tried."""
        attempts = self._queries(q)
        if not attempts:
            return None
        base = self._base(language)
        entries, attempt = None, None
        for attempt in attempts:
            entries = _entries_matching(attempt, base)
            if entries.exists():
                break
        self.matched_by = attempt.kind
        ranked_by = characters_query(q) if attempt.kind == "characters" else q
        return Matched(entries, self._rank(ranked_by, prefix=attempt.prefix), attempt.kind)

    @staticmethod
    def _rank(q: str, prefix: bool = False) -> "Ranking":
        """Our own score, the same on SQLite and PostgreSQL: 10 for each query word (or one of its
        alternatives) found in the title, 2 more when it is the word as typed, 1 for each found in
        the text (a Chinese word inside the name counts as in the title), 1 when two of a word's
        alternatives are in the title (a synonym, a translation, the joined syllables), 50 for the
        exact title; the pinyin of a Chinese word counts nothing, so a match through pinyin alone never
        outranks one of the characters (蜜 puts 水蜜桃 before 米). Ties go to the shorter title,
        then the older entry (``_page``): never to a database's own relevance (SQLite's bm25,
        PostgreSQL's ts_rank), which would order the same hits differently on each.

        Tokens are stored space-separated, so "the title has this token" is a portable LIKE on
        ``_title_tokens`` / ``_text_tokens`` (the tokens with a space either side, see ``_page``).

        Returned with its title part, which reads the short columns only and chooses the
        candidates ``_page`` ranks whole: the whole score less the 1 for each query word found in
        the text but in no token of the title (the text's tokens hold the title's).
        """
        groups = query_groups(q, synonym_map())
        words = _query_words(q)
        if prefix and words:
            groups = [*groups[:-1], [words[-1]]]
        title = Case(When(name__iexact=q.strip(), then=Value(50)), default=Value(0))
        in_texts = []
        for index, group in enumerate(groups):
            open_end = prefix and index == len(groups) - 1
            in_title, in_text, title_token = Q(), Q(), Q()
            pinyin = pinyin_alternatives(group)
            named = []  # 1 for each of the group's terms in the title
            for term in (t for t in group if t not in pinyin):
                title_token |= _has_token("title", term, open_end)
                in_text |= _has_token("text", term, open_end)
                named.append(Case(When(_has_token("title", term, open_end), then=Value(1)), default=Value(0)))
            in_title = title_token
            if not open_end and is_han(group[0]):
                # The characters as typed inside the name, however jieba cut it (蜜 in 水蜜桃采摘).
                in_title = Q(name__contains=group[0]) | title_token
            title += Case(When(in_title, then=Value(10)), default=Value(0))
            # The text's tokens hold the title's: a token in the title is one in the text, known
            # without reading the text; only a word found in the text alone needs it.
            title += Case(When(title_token, then=Value(1)), default=Value(0))
            in_texts.append(Case(When(~title_token & in_text, then=Value(1)), default=Value(0)))
            if len(named) > 1:
                # Named twice in the titles (采摘 and "picking": the Chinese and the English title
                # say it), 1 more: "picking" puts 草莓采摘 before 采茶 ("tea picking").
                twice = GreaterThanOrEqual(sum(named[1:], named[0]), 2)
                title += Case(When(twice, then=Value(1)), default=Value(0))
            # The word as typed (not a synonym or translation) in the title: 2 more, so "采摘"
            # puts the 采摘 items before "tea picking".
            title += Case(When(_has_token("title", group[0], open_end), then=Value(2)), default=Value(0))
        return Ranking(rank=sum(in_texts, title), title=title)

    @staticmethod
    def _page(entries, ranking: "Ranking", offset: int, limit: int) -> list[SearchEntry]:
        """Rows ``offset`` to ``offset + limit`` of ``entries`` (already filtered), best rank
        first, then the shorter title, then the pk; each with its ``_rank``.

        One statement. Only a bounded set of the hits is ranked whole (issue 21): the first
        ``RANK_CANDIDATES`` by the rank's title part (``Ranking.title``: the short name and title
        columns only, never the text), then the shorter title, then the pk; the hits past them
        follow in that order. The whole rank adds only 1 per query word found in the text alone,
        so the candidates hold the best hits unless the title part ties beyond the bound; a
        common word's thousands of hits are no longer ranked through their text. Candidates are
        ranked on narrow rows (pk, rank, title length), ordered and cut to the page in a
        subquery (a top-N sort); only the page's rows are then read whole.
        """
        title_tokens = Concat(Value(" "), "title", Value(" "), output_field=TextField())
        text_tokens = Concat(Value(" "), "text", Value(" "), output_field=TextField())
        candidates = (
            entries.order_by()
            .alias(_title_tokens=title_tokens, _title_part=ranking.title, _title_length=Length("title"))
            .order_by("-_title_part", "_title_length", "pk")
            .values("pk")[:RANK_CANDIDATES]
        )
        if offset + limit <= RANK_CANDIDATES:
            ranked = (
                SearchEntry.objects.filter(pk__in=candidates)
                .alias(_title_tokens=title_tokens, _text_tokens=text_tokens)
                .annotate(_chosen=Value(1), _rank=ranking.rank, _title_length=Length("title"))
                .order_by("-_rank", "_title_length", "pk")
            )
        else:
            # Past the candidates, the other hits in the order that chose them (by the title part),
            # so the pages neither repeat nor skip a hit.
            chosen = Q(pk__in=candidates)
            ranked = (
                entries.order_by()
                .alias(_title_tokens=title_tokens, _text_tokens=text_tokens)
                .annotate(
                    _chosen=Case(When(chosen, then=Value(1)), default=Value(0)),
                    _rank=Case(When(chosen, then=ranking.rank), default=ranking.title),
                    _title_length=Length("title"),
                )
                .order_by("-_chosen", "-_rank", "_title_length", "pk")
            )
        ranked = ranked.values("pk", "_chosen", "_rank", "_title_length")[offset : offset + limit]
        ranked_sql, ranked_params = ranked.query.sql_with_params()
        quote = connection.ops.quote_name
        table = quote(SearchEntry._meta.db_table)
        # The model's columns (not e.*: on PostgreSQL the table also holds the token vectors).
        columns = ", ".join(f"e.{quote(field.column)}" for field in SearchEntry._meta.concrete_fields)
        # Compiled ORM SQL and fixed names only: every value is a parameter.
        sql = (
            f"SELECT {columns}, r._rank AS _rank FROM ({ranked_sql}) r "  # noqa: S608
            f"INNER JOIN {table} e ON e.id = r.pk "
            f"ORDER BY r._chosen DESC, r._rank DESC, r._title_length ASC, r.pk ASC"
        )
        return list(SearchEntry.objects.raw(sql, ranked_params))

    # -- filtering ------------------------------------------------------------------------

    @staticmethod
    def _filter_facets(qs, facets: dict[str, list[str]]):
        for name, values in facets.items():
            rows = SearchFacet.objects.filter(entry=OuterRef("pk"), name=name, value__in=values)
            qs = qs.filter(Exists(rows))
        return qs

    @staticmethod
    def _filter_near(qs, near):
        if not near:
            return qs
        lat, lon, radius_km = near
        dlat = radius_km / KM_PER_DEGREE
        dlon = radius_km / (KM_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
        return qs.filter(latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon))

    # -- the service interface -----------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        if not request.q:
            results = empty_results(request, _("Type what you are looking for: a place, a festival, a stay…"))
            results.suggestions = popular_searches()
            return results
        # Remembered until the index changes (every write bumps the "search" stock tag:
        # search.indexing), an editor publishes, a selling row changes or the day turns, and at
        # most PAGE_CACHE_STOCK_SECONDS (popular searches and facets age with the clock): the same
        # words, filters and page give the same statements, and building them through the ORM
        # was most of a search's time (issue 21).
        asked = (
            request.q,
            sorted(request.kinds or ()),
            sorted((name, sorted(values)) for name, values in request.facets.items()),
            request.page,
            request.per_page,
            request.near,
            request.language,
            get_language(),
        )
        key = ("search-results", connection.vendor, hashlib.sha256(repr(asked).encode()).hexdigest())
        return cached_showing(key, lambda: self._search_now(request))

    def _search_now(self, request: SearchRequest) -> SearchResults:
        shows(stock_tag(INDEX_STOCK))
        with _planned_through_the_index():
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResults:
        matched = self.match(request.q, request.language)
        if matched is None:
            results = empty_results(request, _("Please search with letters or Chinese characters."))
            results.suggestions = popular_searches()
            return results

        filtered = self._filter_near(self._filter_facets(matched.entries, request.facets), request.near)
        counts_by_kind = dict(
            filtered.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")
        )
        if request.kinds:
            filtered = filtered.filter(kind__in=request.kinds)
            total = sum(counts_by_kind.get(k, 0) for k in request.kinds)
        else:
            total = sum(counts_by_kind.values())

        message = ""
        if total and self.matched_by in ("or", "characters"):
            message = _("Nothing has all of your words; these results have some of them.")
        pages = max(1, math.ceil(total / request.per_page))
        page = request.page
        if page > pages:
            if total:
                message = _("There is no page %(page)s; showing the last page.") % {"page": page}
            page = pages
        offset = (page - 1) * request.per_page

        hits = []
        if total:
            terms = query_terms(request.q, synonym_map())
            for entry in self._page(filtered, matched.rank, offset, request.per_page):
                kind = get_kind(entry.kind)
                hits.append(
                    Hit(
                        kind=entry.kind,
                        obj=entry,
                        title=entry.name,
                        url=entry.url,
                        snippet_html=highlight(entry.summary or entry.name, terms),
                        score=float(getattr(entry, "_rank", 0) or 0),
                        kind_label=str(kind.label) if kind else entry.kind,
                        village=entry.village,
                        price_fen=entry.price_fen,
                        image_id=entry.image_id,
                    )
                )
            facets = self._facet_counts(filtered, request.facets, bounded=total > FACET_CANDIDATES)
        else:
            facets = {}
            if not message:
                message = _("Nothing found for “%(q)s”.") % {"q": request.q}

        return SearchResults(
            hits=hits,
            total=total,
            counts_by_kind=counts_by_kind,
            facets=facets,
            page=page,
            pages=pages if total else 0,
            message=message,
            suggestions=[] if total else popular_searches(),
            query=request.q,
            facets_among=FACET_CANDIDATES if facets and total > FACET_CANDIDATES else None,
        )

    @staticmethod
    def _facet_counts(
        filtered, selected: dict[str, list[str]], bounded: bool = False
    ) -> dict[str, list[FacetValue]]:
        entries = filtered.order_by("pk")[:FACET_CANDIDATES] if bounded else filtered.order_by()
        rows = (
            SearchFacet.objects.filter(entry__in=entries.values("pk"))
            .exclude(name="kind")
            .values("name", "value", "label")
            # An entry has a facet value once (unique entry, name, value): no DISTINCT needed.
            .annotate(count=Count("pk"))
            .order_by("name", "-count", "label")
        )
        facets: dict[str, list[FacetValue]] = {}
        for row in rows:
            facets.setdefault(row["name"], []).append(
                FacetValue(
                    value=row["value"],
                    label=row["label"],
                    count=row["count"],
                    selected=row["value"] in selected.get(row["name"], ()),
                )
            )
        return facets

    def suggest(self, q: str, limit: int = 8, language: str = "zh-hans") -> list[dict]:
        base = self._base(language)
        entries = []
        words = _query_words(q)
        if words:
            # Titles that begin with what was typed, best first by the same rank as the search.
            typed = Attempt("prefix", [[w] for w in words], prefix=True)
            found = _entries_matching(typed, base, field="title")
            entries = self._page(found, self._rank(q, prefix=True), 0, limit)
        if not entries:
            matched = self.match(q, language)
            if matched is not None:
                entries = self._page(matched.entries, matched.rank, 0, limit)
        out = []
        for entry in entries:
            kind = get_kind(entry.kind)
            out.append(
                {
                    "title": entry.name,
                    "url": entry.url,
                    "kind": entry.kind,
                    "kind_label": str(kind.label) if kind else entry.kind,
                }
            )
        return out
