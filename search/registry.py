"""What is searchable: each app declares its kinds in ``<app>/search_indexes.py``.

    from search.registry import SearchKind, register

    register(SearchKind(
        kind="homestay", model=HomestayPage, label=_("Homestays"),
        queryset=lambda: HomestayPage.objects.live().public(),
        text=lambda obj: [obj.title, obj.summary, ...],
        facets=lambda obj: {"village": [...], "amenities": [...]},
        location=lambda obj: (lat, lon) or None,
    ))

The search app's ``AppConfig.ready`` imports every ``search_indexes`` module. Backends (the
database one and Elasticsearch) index exactly ``kind.queryset()`` — that queryset is the one
place that decides what may be found (live, public, moderated), so drafts and private content
never reach any index.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

# Facet names every backend understands; values are strings (ids, codes, month numbers) and
# labels are shown as given. ``price`` is a bucket code from ``price_bucket``.
# ``certification``: kinds of certificate valid when indexed (products: 绿色食品, 有机, 地理标志 ...).
FACET_NAMES = ("kind", "village", "category", "price", "amenities", "in_season", "certification")

# Price buckets in fen: (code, lower bound inclusive, upper bound exclusive or None).
PRICE_BUCKETS = (
    ("0-100", 0, 100_00),
    ("100-300", 100_00, 300_00),
    ("300-600", 300_00, 600_00),
    ("600+", 600_00, None),
)


def price_bucket(price_fen: int | None) -> str | None:
    if price_fen is None:
        return None
    for code, low, high in PRICE_BUCKETS:
        if price_fen >= low and (high is None or price_fen < high):
            return code
    return None


@dataclass(frozen=True)
class FacetLabelled:
    """A facet value with its display label (``facets`` may return these or plain strings)."""

    value: str
    label: str


def _default_url(obj) -> str:
    return obj.get_url() if hasattr(obj, "get_url") else obj.get_absolute_url()


@dataclass
class SearchKind:
    """One kind of searchable thing.

    - ``queryset()``: everything that may be found, in every locale (filter live/public/moderated
      here). Backends add ``select_related``/``prefetch_related`` from ``select_related`` /
      ``prefetch_related`` when they index in bulk.
    - ``text(obj)``: the parts to index, most important first; the first is the title.
    - ``facets(obj)``: ``{"village": ..., "category": ..., "price_fen": int|None,
      "amenities": [...], "in_season": [month numbers]}``; a value is a string, a
      ``FacetLabelled`` or a list of those; ``price_fen`` is turned into the ``price`` bucket.
    - ``location(obj)``: ``(lat, lon)`` as floats (WGS-84) or ``None``.
    - ``url(obj)``: the public URL (default ``get_url()`` / ``get_absolute_url()``).
    - ``image(obj)``: an optional ``wagtailimages.Image`` for result cards.
    """

    kind: str
    model: type[models.Model]
    label: Any
    queryset: Callable[[], models.QuerySet]
    text: Callable[[Any], Iterable[str]]
    facets: Callable[[Any], dict] = field(default=lambda obj: {})
    location: Callable[[Any], tuple[float, float] | None] = field(default=lambda obj: None)
    url: Callable[[Any], str] = field(default=_default_url)
    image: Callable[[Any], Any] = field(default=lambda obj: None)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Order of the groups on the results page (lower first).
    order: int = 100
    # Names made of what the thing is (茶花蜜 is a 蜜, 石磨糙米 a 米): each character of the name's
    # longer words is indexed too, so a word inside the name is found (search.text.entry_text).
    split_names: bool = False
    # Models whose save/delete should re-index objects of this kind: {model: fn(instance) -> objs}.
    depends_on: dict = field(default_factory=dict)

    def live_queryset(self) -> models.QuerySet:
        qs = self.queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs


_kinds: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    _kinds[kind.kind] = kind
    return kind


def get_kind(name: str) -> SearchKind | None:
    return _kinds.get(name)


def all_kinds() -> list[SearchKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.kind))


def kinds_for_model(model) -> list[SearchKind]:
    """Kinds declared for ``model`` or one of its parents (a page subclass is its own kind)."""
    return [k for k in _kinds.values() if issubclass(model, k.model)]


def normalise_facets(values: dict) -> dict[str, list[FacetLabelled]]:
    """A kind's ``facets(obj)`` as ``{name: [FacetLabelled, ...]}`` with ``price_fen`` bucketed."""
    result: dict[str, list[FacetLabelled]] = {}
    for name, value in (values or {}).items():
        if name == "price_fen":
            code = price_bucket(value)
            if code:
                result["price"] = [FacetLabelled(code, price_label(code))]
            continue
        items = value if isinstance(value, (list, tuple, set)) else [value]
        out = []
        for item in items:
            if item is None or item == "":
                continue
            if isinstance(item, FacetLabelled):
                out.append(item)
            else:
                out.append(FacetLabelled(str(item), str(item)))
        if out:
            result[name] = out
    return result


def month_facets(months) -> list[FacetLabelled]:
    """``in_season`` facet values for month numbers (1–12), labelled with the month's name."""
    from django.utils.dates import MONTHS

    return [FacetLabelled(str(m), str(MONTHS[m])) for m in sorted(set(months)) if m in MONTHS]


def price_label(code: str) -> str:
    low, _sep, high = code.partition("-")
    if code.endswith("+"):
        return f"¥{code[:-1]}+"
    return f"¥{low}–{high}"
