"""The Elasticsearch document of a searchable object, and the index it lives in.

Every kind registered in ``search.registry`` gets the same document type in its own index. The
searched fields (``title``, ``text``) hold ``search.text.index_text`` strings — jieba words, their
pinyin and initials, English words — so a ``whitespace`` tokenizer with a ``lowercase`` filter is
all the analysis needed: no Elasticsearch plugin (IK, smartcn, pinyin) has to be installed, and
the tokens are exactly those the database backend indexes.

Facets are keywords (``village``, ``category``, ``amenities``, ``certification``), integers
(``in_season`` months) and ``price_fen``; their display labels ride along in ``facet_labels`` as
``name|value|label`` so aggregations can name what they count without a database query.
"""

from django.conf import settings
from elasticsearch.dsl import (
    Document,
    GeoPoint,
    Index,
    Integer,
    Keyword,
    Long,
    MetaField,
    Text,
    analyzer,
)

from .conf import alias_name

# Tokens are already cut (and lowercased) by search.text; lowercase again for safety on queries.
tianyuan_text = analyzer("tianyuan_text", tokenizer="whitespace", filter=["lowercase"])

LABEL_SEPARATOR = "|"
KEYWORD_FACETS = ("village", "category", "amenities", "certification")
# One shard holds a town's worth of documents (tens of thousands) comfortably.
INDEX_SETTINGS = {"number_of_shards": 1, "max_result_window": 10000}


class SearchDocument(Document):
    """One searchable object (a homestay, an event, a product ...) in one language."""

    kind = Keyword()
    object_id = Keyword()
    language = Keyword()
    title = Text(analyzer=tianyuan_text)
    text = Text(analyzer=tianyuan_text)
    # Facets and filters.
    village = Keyword()
    category = Keyword()
    amenities = Keyword()
    certification = Keyword()
    in_season = Integer()
    price_fen = Long()
    location = GeoPoint()
    facet_labels = Keyword(index=False)
    # Shown on result cards, never searched.
    name = Keyword(index=False, doc_values=False)
    summary = Text(index=False)
    url = Keyword(index=False, doc_values=False)
    village_label = Keyword(index=False, doc_values=False)
    image_id = Long(index=False)
    order = Integer(index=False)

    class Meta:
        # A field nobody mapped is a bug in the body builder, not something to guess a type for.
        dynamic = MetaField("strict")


def document_index(name: str) -> Index:
    """A concrete index ``name`` with our analysis settings and the document mapping."""
    index = Index(name)
    index.settings(**INDEX_SETTINGS, number_of_replicas=getattr(settings, "ELASTICSEARCH_REPLICAS", 0))
    index.document(SearchDocument)
    return index


def index_body() -> dict:
    """The body sent to ``indices.create``: settings (with the analyzer) and mappings."""
    return document_index("unused").to_dict()


def document_id(kind: str, object_id) -> str:
    return f"{kind}-{object_id}"


def encode_label(name: str, value: str, label: str) -> str:
    return LABEL_SEPARATOR.join((name, str(value), str(label)))


def decode_label(encoded: str) -> tuple[str, str, str]:
    name, value, label = (encoded.split(LABEL_SEPARATOR, 2) + ["", ""])[:3]
    return name, value, label


def bulk_action(kind: str, body: dict, index: str | None = None) -> dict:
    """One ``index`` action for ``elasticsearch.helpers.bulk``."""
    return {
        "_op_type": "index",
        "_index": index or alias_name(kind),
        "_id": document_id(kind, body["object_id"]),
        "_source": body,
    }
