"""The database search backend's own index rows, and the staff-edited synonyms.

Why a ``SearchEntry`` table rather than ``search_fields`` on each model: one row per searchable
object holds the jieba/pinyin token string (``search.text.index_text``) that Wagtail's database
backend indexes as plain whitespace-separated words, so SQLite FTS5 and PostgreSQL full text see
exactly the same tokens and return the same matches; the kind, language, village, price and
location sit in columns and multi-valued facets (amenities, months in season) in ``SearchFacet``
rows, so filters and facet counts are SQL over the matched rows on both databases. Rows are
written only from ``kind.queryset()`` (live, public, moderated objects), so nothing unpublished
can be found.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

# The stock tag (town.page_cache) every write to the entries bumps: remembered search results
# (search.backends.database) show the index as it was, and any change to it makes them a miss.
INDEX_STOCK = "search"


class SearchEntry(index.Indexed, models.Model):
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_pk = models.PositiveBigIntegerField()
    # No index of its own: two or three values, and on PostgreSQL it drew the planner away from
    # the token vectors' GIN index (migration 0003).
    language = models.CharField(_("language"), max_length=16)
    # Named "title" so Wagtail's database backend weighs it as the title: the title's tokens
    # (with its translations' titles). The readable title is ``name``.
    title = models.TextField(_("title tokens"))
    text = models.TextField(_("tokens"))
    name = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    url = models.CharField(_("URL"), max_length=500)
    village = models.CharField(_("village"), max_length=100, blank=True)
    price_fen = models.PositiveIntegerField(_("price (fen)"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=100)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("title", boost=4),
        index.SearchField("text"),
        index.AutocompleteField("title"),
        index.AutocompleteField("text"),
        index.FilterField("kind"),
        index.FilterField("language"),
    ]

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_pk"], name="sitesearch_entry_unique_object"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.name}"


class SearchFacet(models.Model):
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_rows")
    name = models.CharField(max_length=20)
    value = models.CharField(max_length=100)
    label = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["name", "value"], name="sitesearch_facet_name_value")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "name", "value"], name="sitesearch_facet_unique")
        ]

    def __str__(self):
        return f"{self.name}={self.value}"


_TERM_SEPARATORS = re.compile(r"[,，、;；\n=]+")


def split_terms(value: str) -> list[str]:
    """The terms of a synonym group as staff type them: separated by commas (also Chinese ones),
    semicolons, new lines or "="."""
    return list(dict.fromkeys(t.strip() for t in _TERM_SEPARATORS.split(value or "") if t.strip()))


class SearchSynonym(models.Model):
    """A group of equivalent search terms: searching any one also finds the others."""

    terms = models.TextField(
        _("equivalent terms"),
        help_text=_(
            "Words that mean the same, separated by commas or new lines, e.g. 民宿, 农家乐, homestay."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    panels = [FieldPanel("terms"), FieldPanel("note")]

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["pk"]

    def __str__(self):
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        return split_terms(self.terms)
