"""The study-tour report's figures (研学与团队): groups and pupils per month, what groups spent in
each village, and which programmes sell.

The rules of what counts (accepted quotes, the month of the group's first day, each line's
village) are the groups app's (``groups.selectors``); here they are summed, in four queries
whatever the number of groups: the groups, the lines' money, the village names, the programme
titles. Cached like the other figures (``reports.figures``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from groups.models import QuoteLineKind
from groups.selectors import booked_groups, booked_lines
from town.models import Village

from .figures import DaysBetween, Period, _cached, _ratio, month_start, months_of

GROUPINGS = ("month", "village", "programme")

# Revenue of each kind of line: the report's columns.
KIND_FIELDS = {
    QuoteLineKind.STAY: "rooms_fen",
    QuoteLineKind.TOUR: "tours_fen",
    QuoteLineKind.ENTRY: "entries_fen",
    QuoteLineKind.MEAL: "meals_fen",
    QuoteLineKind.TRANSPORT: "transport_fen",
}
GROUP_FIELDS = ("groups", "pupils", "teachers", "adults", "pupil_days")


@dataclass
class StudyTourRow:
    key: str  # the month (ISO), the village's or the programme's translation key, "" if none
    month: datetime.date | None  # first day of the month (grouped by month)
    name: str  # the village or the programme ("" grouped by month)
    groups: int  # enquiries with an accepted quote (grouped by village: that bought there)
    pupils: int
    teachers: int
    adults: int  # other adults
    pupil_days: int  # pupils × the group's days
    rooms_fen: int
    tours_fen: int
    entries_fen: int
    meals_fen: int
    transport_fen: int
    revenue_fen: int
    share: float | None = None  # of the period's revenue, 0..1
    per_pupil_fen: int | None = None  # revenue_fen // pupils (total: of the rows with pupils)
    is_total: bool = False


def _empty():
    return dict.fromkeys((*GROUP_FIELDS, *KIND_FIELDS.values()), 0)


def _village_key(village_id):
    """The chosen village's translation key, as a subquery (no query of its own)."""
    if village_id is None:
        return None
    return Subquery(Village.objects.filter(pk=village_id).values("translation_key")[:1])


def _group_figures(groups, by):
    """``{key: {groups, pupils, teachers, adults, pupil_days}}`` (by None: one row, key None)."""
    days = DaysBetween(F("end_date"), F("start_date")) + 1
    # Named apart from the fields: an annotation called "pupils" would shadow the field.
    sums = {
        "n_groups": Count("pk"),
        "n_pupils": Sum("pupils"),
        "n_teachers": Sum("teachers"),
        "n_adults": Sum("adults"),
        "n_pupil_days": Sum(F("pupils") * days, output_field=BigIntegerField()),
    }

    def figures(row):
        return {name[2:]: int(row[name] or 0) for name in sums}

    if by is None:
        return {None: figures(groups.aggregate(**sums))}
    by = F(by) if isinstance(by, str) else by
    return {row["key"]: figures(row) for row in groups.values(key=by).annotate(**sums).order_by()}


def _money_figures(lines, by):
    """``{key: {rooms_fen, ..., transport_fen, line_groups}}``: each kind's revenue, and the
    groups with lines under the key."""
    sums = {
        name: Coalesce(Sum("amount", filter=Q(kind=kind)), 0, output_field=BigIntegerField())
        for kind, name in KIND_FIELDS.items()
    }
    sums["line_groups"] = Count("quote__enquiry", distinct=True)
    by = F(by) if isinstance(by, str) else by
    return {
        row["key"]: {name: int(row[name] or 0) for name in sums}
        for row in lines.values(key=by).annotate(**sums).order_by()
    }


def _languages():
    """The active content language and the default one, read from the settings (no query)."""
    return (
        get_supported_content_language_variant(get_language()),
        get_supported_content_language_variant(settings.LANGUAGE_CODE),
    )


def _translated(rows) -> dict:
    """``{translation key: name}`` from (key, language code, name) rows: the active language's
    name, else the default one's, else any."""
    active, default = _languages()
    rank = {active: 0, default: 1}
    best = {}
    for key, language, name in rows:
        if key not in best or rank.get(language, 2) < best[key][0]:
            best[key] = (rank.get(language, 2), name)
    return {key: name for key, (_rank, name) in best.items()}


def _village_names(keys) -> dict:
    keys = {key for key in keys if key is not None}
    if not keys:
        return {}
    rows = Village.objects.filter(translation_key__in=keys).values_list(
        "translation_key", "locale__language_code", "name"
    )
    return _translated(rows)


def _programme_titles(keys) -> dict:
    keys = {key for key in keys if key is not None}
    if not keys:
        return {}
    rows = Page.objects.filter(translation_key__in=keys).values_list(
        "translation_key", "locale__language_code", "title"
    )
    return _translated(rows)


def _row(key, month, name, figures, is_total=False):
    revenue = sum(figures.get(name, 0) for name in KIND_FIELDS.values())
    pupils = figures.get("pupils", 0)
    return StudyTourRow(
        key=key,
        month=month,
        name=name,
        groups=figures.get("groups", 0),
        pupils=pupils,
        teachers=figures.get("teachers", 0),
        adults=figures.get("adults", 0),
        pupil_days=figures.get("pupil_days", 0),
        **{name: figures.get(name, 0) for name in KIND_FIELDS.values()},
        revenue_fen=revenue,
        per_pupil_fen=revenue // pupils if pupils else None,
        is_total=is_total,
    )


def _merge(*dicts):
    merged = _empty()
    for figures in dicts:
        for name, value in (figures or {}).items():
            merged[name] = merged.get(name, 0) + value
    return merged


@_cached
def study_tour_rows(
    period: Period, village_id: int | None = None, group: str = "month"
) -> list[StudyTourRow]:
    """Grouped by ``"month"`` (every month of the period, empty ones too), ``"village"`` (where
    the money went; "Not assigned" last) or ``"programme"`` (best selling first; groups without
    one as "No programme"), then a total row. With ``village_id``: only the money spent in that
    village, and only the groups that spent some there."""
    village_key = _village_key(village_id)
    groups = booked_groups(period.start, period.end, village_key)
    lines = booked_lines(period.start, period.end, village_key, with_village=group == "village")
    rows = []
    if group == "village":
        everyone = _group_figures(groups, None)[None]
        money = _money_figures(lines, "village_key")
        names = _village_names(money)
        for key, figures in money.items():
            figures = _merge(figures, {"groups": figures["line_groups"]})
            rows.append(_row(str(key or ""), None, names.get(key) or gettext("Not assigned"), figures))
        rows.sort(key=lambda r: (r.key == "", -r.revenue_fen, r.name))
        money_total = _merge(*({k: v for k, v in f.items() if k != "line_groups"} for f in money.values()))
        # A group that spent in two villages is one group: the total counts groups once.
        total = _row("", None, gettext("Total"), _merge(money_total, everyone), is_total=True)
    elif group == "programme":
        by = "programme__translation_key"
        people = _group_figures(groups, by)
        money = _money_figures(lines, "quote__enquiry__programme__translation_key")
        names = _programme_titles(set(people) | set(money))
        for key in set(people) | set(money):
            figures = _merge(people.get(key), _without_line_groups(money.get(key)))
            rows.append(_row(str(key or ""), None, names.get(key) or gettext("No programme"), figures))
        rows.sort(key=lambda r: (r.key == "", -r.revenue_fen, -r.groups, r.name))
        total = _row("", None, gettext("Total"), _merge(*_raw(rows)), is_total=True)
    else:
        # By first day, then summed into months here: at most a row a day of the period, and
        # SQLite truncates dates in Python, row by row (twice as slow over 10,000 quotes).
        people = _by_month(_group_figures(groups, "start_date"))
        money = _by_month(_money_figures(lines, "quote__enquiry__start_date"))
        for piece in months_of(period):
            month = month_start(piece.start)
            figures = _merge(people.get(month), _without_line_groups(money.get(month)))
            rows.append(_row(month.isoformat(), month, "", figures))
        total = _row("", None, gettext("Total"), _merge(*_raw(rows)), is_total=True)
    # Per pupil over the groups that brought pupils: a company's spending is no pupil's.
    with_pupils = sum(row.revenue_fen for row in rows if row.pupils)
    total.per_pupil_fen = with_pupils // total.pupils if total.pupils and group != "village" else None
    for row in [*rows, total]:
        row.share = _ratio(row.revenue_fen, total.revenue_fen)
    return [*rows, total]


def _without_line_groups(figures):
    return {k: v for k, v in (figures or {}).items() if k != "line_groups"}


def _raw(rows):
    for row in rows:
        yield {name: getattr(row, name) for name in (*GROUP_FIELDS, *KIND_FIELDS.values())}


def _by_month(figures_by_day):
    months = {}
    for day, figures in figures_by_day.items():
        month = month_start(_as_date(day))
        months[month] = _merge(months.get(month), figures)
    return months


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value
