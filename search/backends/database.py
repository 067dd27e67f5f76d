"""The default backend: Wagtail's database search (SQLite FTS5 or PostgreSQL full text) over
``SearchEntry`` rows, whose text is the jieba/pinyin token string of ``search.text``.

Matching runs in three steps, each used only when the one before finds nothing:
1. every query word (or one of its alternatives: pinyin, synonyms, the joined Latin run) — AND;
2. any query word — OR;
3. the words as typed with the last one as a prefix (Wagtail's autocomplete), for partial words;
4. any character of the Chinese words (蜂蜜 → 蜂 or 蜜, so 茶花蜜 is found).
Filters (kinds, facets, distance) and facet counts are SQL over the matched rows: a fixed number
of queries per search, whatever the number of hits.

Wagtail's backend only builds the query (MATCH expression / tsquery and rank expression); the SQL
that runs is ours (``_index_match``): the match is an uncorrelated subquery run once per statement,
the backend's score is joined rather than a correlated subquery per row, and one statement ranks,
orders and cuts the page (``_page``). Per search: one ``EXISTS`` per attempt tried, the counts by
kind, the page and the facet counts.
"""

import math
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
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
from django.utils.translation import gettext as _
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Or, PlainText

from ..highlight import highlight
from ..models import SearchEntry, SearchFacet
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


def popular_searches() -> list[str]:
    return list(getattr(settings, "TIANYUAN_POPULAR_SEARCHES", []))


def _query_words(q: str) -> list[str]:
    return list(dict.fromkeys(_segment(q, search_mode=False)))[:MAX_QUERY_WORDS]


def _or(terms: list[str]):
    queries = [PlainText(t) for t in terms]
    return queries[0] if len(queries) == 1 else Or(queries)


class IndexMatch(NamedTuple):
    """What one search of Wagtail's index matched, as SQL to embed in our own statements."""

    entries: object  # SearchEntry queryset: ``base`` narrowed to the matched rows (unordered)
    scores: object  # queryset of rows with the backend's relevance in ``score``, joined as "m"
    join: str  # SQL condition joining "m" to the entry rows "r" (column ``pk``)


def _index_match(results, backend, base, autocomplete: bool) -> IndexMatch:
    """The entries ``results`` (a Wagtail search over ``SearchEntry``) matches and their scores,
    read from Wagtail's own index tables with the same compiler (same MATCH / tsquery, same rank
    expression) as ``results.get_queryset()`` — but shaped so the match runs once per statement.

    Wagtail's own queryset filters ``pk IN (match)`` and annotates the score as a subquery
    correlated on every matched row: SQLite re-runs the FTS5 match (and bm25's statistics) once
    per row; PostgreSQL matches ``title || body`` (no index covers it) and joins on
    ``CAST(pk AS varchar)``, which no index covers either, so a misestimated row count turns the
    semi-join into one index scan per entry.
    """
    compiler = results.query_compiler
    config = compiler.get_config(backend)
    content_type_id = ContentType.objects.get_for_model(SearchEntry).pk
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.query import MatchExpression, SQLiteFTSIndexEntry, normalize

        search_query = compiler.build_search_query(normalize(compiler.query), config=config)
        match = MatchExpression(compiler.fields or compiler.FTS_TABLE_FIELDS, search_query)
        rank = compiler._build_rank_expression(compiler.get_search_vectors(), config)
        # "content_type_id + 0": no index on it, so SQLite drives the join from the FTS5 match (a
        # scan of the matching rows) instead of probing the FTS table once per index entry.
        rows = (
            SQLiteFTSIndexEntry.objects.filter(match)
            .alias(_content_type=F("index_entry__content_type_id") + 0)
            .filter(_content_type=content_type_id)
            .annotate(obj=Cast("index_entry__object_id", BigIntegerField()))
        )
        # bm25() only exists inside the MATCH: the scores come from the same match, which SQLite
        # runs once as a list subquery ("IN") and once as the joined table.
        return IndexMatch(
            entries=base.filter(pk__in=rows.values("obj")),
            scores=rows.annotate(score=rank).values("obj", "score"),
            join="m.obj = r.pk",
        )

    from django.contrib.postgres.expressions import ArraySubquery
    from modelsearch.conf import get_app_config

    search_query = compiler.build_tsquery(compiler.query, config=config)
    if compiler.fields:
        # Named fields (the title-only suggestions): Wagtail matches the entry's own columns.
        vectors = compiler.get_fields_vectors(search_query)
        matched_vector = vectors[0][0]
        for vector, _boost in vectors[1:]:
            matched_vector = matched_vector._combine(vector, "||", False)
        rank = compiler._build_rank_expression(vectors, config)
        matched = SearchEntry.objects.annotate(_vector_=matched_vector).filter(_vector_=search_query)
        ids = matched.values("pk")
        scores = SearchEntry.objects.annotate(score=rank).values("pk", "score")
        join = "m.pk = r.pk"
    else:
        index_entry = get_app_config().get_model("IndexEntry")
        if autocomplete:
            vectors = [(F("autocomplete"), 1.0)]
        else:
            vectors = [(F("title"), F("title_norm")), (F("body"), 1.0)]
        rank = compiler._build_rank_expression(vectors, config)
        # Wagtail matches ``title || body``; an entry's ``text`` starts with its ``title`` tokens
        # (``search.indexing``), so ``body`` alone has the same lexemes, and its GIN index answers
        # the match (``autocomplete`` is one vector with a GIN index of its own).
        rows = index_entry.objects.filter(content_type_id=content_type_id)
        ids = (
            rows.annotate(_vector_=vectors[-1][0])
            .filter(_vector_=search_query)
            .annotate(obj=Cast("object_id", BigIntegerField()))
            .values("obj")
        )
        # The score of the matched rows only: joined on the (content type, object id) index.
        scores = rows.annotate(score=rank).values("object_id", "score")
        join = "m.object_id = CAST(r.pk AS text)"
    return IndexMatch(entries=base.filter(_AnyOf(F("pk"), ArraySubquery(ids))), scores=scores, join=join)


class _AnyOf(Func):
    """``pk = ANY(ARRAY(match))``: PostgreSQL runs the match once per statement (an InitPlan),
    then looks the entries up by primary key, whatever its row estimates say."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class Matched(NamedTuple):
    """The entries an attempt matched (unordered), their backend scores and our own rank."""

    entries: object  # SearchEntry queryset
    index: IndexMatch
    rank: object  # expression: our own score of an entry
    by: str


class DatabaseBackend:
    def __init__(self):
        self.backend = get_search_backend()
        # Which attempt matched the last query: "and", "joined", "or", "prefix" or "characters".
        self.matched_by = ""

    # -- matching -------------------------------------------------------------------------

    def _base(self, language: str):
        return SearchEntry.objects.filter(language__in=[language, ""])

    def _queries(self, q: str):
        """The AND / OR / prefix attempts for ``q`` as (kind, query) pairs."""
        groups = query_groups(q, synonym_map())
        if not groups:
            return []
        words = _query_words(q)
        attempts = [("and", And([_or(g) for g in groups]) if len(groups) > 1 else _or(groups[0]))]
        if len(words) > 1 and all(_LATIN_WORD.match(w) for w in words):
            # "tao hua": the joined word first, so 桃花 outranks pages with "tao" and "hua" apart.
            attempts.insert(0, ("joined", PlainText("".join(words))))
        if len(groups) > 1:
            attempts.append(("or", _or([t for g in groups for t in g])))
        if words and _LATIN_WORD.match(words[-1]):
            # Prefix search only makes sense for a Latin last word ("straw", "caom").
            attempts.append(("prefix", " ".join(words)))
        characters = characters_query(q)
        if characters:
            # 蜂蜜 finds 茶花蜜 (indexed with each character: search.text.tokens).
            attempts.append(("characters", _or(characters.split())))
        return attempts

    def _run(self, attempt, base, fields=None):
        kind, query = attempt
        if kind == "prefix":
            results = self.backend.autocomplete(query, base, fields=fields, operator="and")
        else:
            results = self.backend.search(query, base, fields=fields)
        return _index_match(results, self.backend, base, autocomplete=kind == "prefix")

    def match(self, q: str, language: str) -> Matched | None:
        """What ``q`` matches (the first attempt that finds anything), or ``None`` when ``q``
        has no words. One cheap ``EXISTS`` query per attempt tried."""
        attempts = self._queries(q)
        if not attempts:
            return None
        base = self._base(language)
        index, attempt = None, None
        for attempt in attempts:
            index = self._run(attempt, base)
            if index.entries.exists():
                break
        self.matched_by = attempt[0]
        ranked_by = characters_query(q) if attempt[0] == "characters" else q
        return Matched(index.entries, index, self._rank(ranked_by, prefix=attempt[0] == "prefix"), attempt[0])

    @staticmethod
    def _rank(q: str, prefix: bool = False):
        """Our own score, the same on SQLite and PostgreSQL: 10 for each query word (or one of its
        alternatives) found in the title, 2 more when it is the word as typed, 1 for each found in
        the text (a Chinese word inside the name counts as in the title), 50 for the exact title;
        the pinyin of a Chinese word counts nothing, so a match through pinyin alone never
        outranks one of the characters (蜜 puts 水蜜桃 before 米). Ties are broken by the
        backend's own relevance (SQLite's bm25 is better when lower, PostgreSQL's ts_rank when
        higher), then the shorter title, then the pk: see ``_page``.

        Tokens are stored space-separated, so "the title has this token" is a portable LIKE on
        ``_title_tokens`` / ``_text_tokens`` (the tokens with a space either side, see ``_page``).
        """
        groups = query_groups(q, synonym_map())
        words = _query_words(q)
        if prefix and words:
            groups = [*groups[:-1], [words[-1]]]
        rank = Case(When(name__iexact=q.strip(), then=Value(50)), default=Value(0))
        for index, group in enumerate(groups):
            open_end = prefix and index == len(groups) - 1
            in_title, in_text = Q(), Q()
            if not open_end and is_han(group[0]):
                # The characters as typed inside the name, however jieba cut it (蜜 in 水蜜桃采摘).
                in_title |= Q(name__contains=group[0])
            pinyin = pinyin_alternatives(group)
            for term in (t for t in group if t not in pinyin):
                needle = f" {term}" if open_end else f" {term} "
                in_title |= Q(_title_tokens__contains=needle)
                in_text |= Q(_text_tokens__contains=needle)
            rank += Case(When(in_title, then=Value(10)), default=Value(0))
            rank += Case(When(in_text, then=Value(1)), default=Value(0))
            # The word as typed (not a synonym or translation) in the title: 2 more, so "采摘"
            # puts the 采摘 items before "tea picking" on both databases, whose relevance differs.
            own = f" {group[0]}" if open_end else f" {group[0]} "
            rank += Case(When(Q(_title_tokens__contains=own), then=Value(2)), default=Value(0))
        return rank

    @staticmethod
    def _page(entries, index: IndexMatch, rank, offset: int, limit: int) -> list[SearchEntry]:
        """Rows ``offset`` to ``offset + limit`` of ``entries`` (already filtered) with ``_rank``
        and ``_score``: best ``rank`` first, then the backend's relevance, the shorter title, the pk.
        With ``rank=None``, Wagtail's own order: relevance, then the newest pk.

        One statement: our rank over the filtered rows, joined to the backend's scores (a derived
        table — never a subquery per row), ordered and cut in SQL.
        """
        ranked = entries.order_by().annotate(_title_length=Length("title"))
        if rank is None:
            ranked = ranked.annotate(_rank=Value(0))
            order = "m.score {direction}, r.pk DESC"
        else:
            ranked = ranked.alias(
                _title_tokens=Concat(Value(" "), "title", Value(" "), output_field=TextField()),
                _text_tokens=Concat(Value(" "), "text", Value(" "), output_field=TextField()),
            ).annotate(_rank=rank)
            order = "r._rank DESC, m.score {direction}, r._title_length ASC, r.pk ASC"
        ranked_sql, ranked_params = ranked.values("pk", "_rank", "_title_length").query.sql_with_params()
        scores_sql, scores_params = index.scores.order_by().query.sql_with_params()
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        order = order.format(direction="ASC" if connection.vendor == "sqlite" else "DESC")
        # Compiled ORM SQL and fixed names only: every value is a parameter.
        sql = (
            f"SELECT e.*, r._rank AS _rank, m.score AS _score FROM ({ranked_sql}) r "  # noqa: S608
            f"INNER JOIN ({scores_sql}) m ON {index.join} "
            f"INNER JOIN {table} e ON e.id = r.pk "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        return list(SearchEntry.objects.raw(sql, [*ranked_params, *scores_params, limit, offset]))

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
            for entry in self._page(filtered, matched.index, matched.rank, offset, request.per_page):
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
            facets = self._facet_counts(filtered, request.facets)
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
        )

    @staticmethod
    def _facet_counts(filtered, selected: dict[str, list[str]]) -> dict[str, list[FacetValue]]:
        rows = (
            SearchFacet.objects.filter(entry__in=filtered.order_by().values("pk"))
            .exclude(name="kind")
            .values("name", "value", "label")
            .annotate(count=Count("entry", distinct=True))
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
            found = self._run(("prefix", " ".join(words)), base, fields=["title"])
            entries = self._page(found.entries, found, None, 0, limit)
        if not entries:
            matched = self.match(q, language)
            if matched is not None:
                entries = self._page(matched.entries, matched.index, matched.rank, 0, limit)
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
