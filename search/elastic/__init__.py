"""Elasticsearch for Tianyuan's search: one elasticsearch-dsl document per registered search kind.

Switched on by ``ELASTICSEARCH_URL``; unset, nothing here talks to a server and every signal
handler is a no-op. The pieces:

- ``conf``: is it on, the client, index and alias names (``ELASTICSEARCH_INDEX_PREFIX``);
- ``documents``: the mapping (whitespace analyzer over ``search.text.index_text`` tokens, so no
  Elasticsearch plugin is needed) and the body of one document built from ``search.registry``;
- ``indexing``: rebuild a kind into a fresh index and swap its alias (no downtime), index or
  delete one object;
- ``queries``: a ``SearchRequest`` as an Elasticsearch query body, and a response as
  ``SearchResults``;
- ``backend``: ``ElasticsearchBackend`` for ``search.service`` (``TIANYUAN_SEARCH_BACKEND``);
- ``tasks`` / ``signals``: saves, publishes, unpublishes and deletes re-index through django-tasks.
"""
