"""The Elasticsearch backend of ``search.service`` (``TIANYUAN_SEARCH_BACKEND = "elasticsearch"``).

Same answers and messages as the database backend (see ``queries``): the text attempts are
tried in order until one matches; a kind never rebuilt (no alias yet) is skipped, not an error;
a server that cannot be reached gives an empty result with a message, never a 500.
"""

import logging

from django.utils.translation import gettext as _

from search.backends.database import popular_searches
from search.registry import all_kinds
from search.service import SearchRequest, SearchResults, empty_results

from . import conf
from .queries import (
    build_search_body,
    build_suggest_body,
    matched_count,
    page_window,
    parse_response,
    parse_suggestions,
    text_attempts,
)

logger = logging.getLogger(__name__)


def search_indexes() -> str:
    return ",".join(conf.alias_name(kind.kind) for kind in all_kinds())


def _search(body: dict):
    return conf.get_client().search(
        index=search_indexes(), ignore_unavailable=True, allow_no_indices=True, body=body
    )


class ElasticsearchBackend:
    def search(self, request: SearchRequest) -> SearchResults:
        from elasticsearch import ApiError, TransportError

        if not request.q:
            results = empty_results(request, _("Type what you are looking for: a place, a festival, a stay…"))
            results.suggestions = popular_searches()
            return results
        attempts = text_attempts(request.q)
        if not attempts:
            results = empty_results(request, _("Please search with letters or Chinese characters."))
            results.suggestions = popular_searches()
            return results
        try:
            for _step, text_query in attempts:
                response = _search(build_search_body(request, text_query))
                if matched_count(response):
                    break
            results = parse_response(request, response)
            message = ""
            wanted = request.page
            # Past the last page (or past Elasticsearch's result window): the last page instead.
            target = min(wanted, results.pages, page_window(request) // request.per_page + 1)
            if results.total and target != wanted:
                request.page = target
                message = _("There is no page %(page)s; showing the last page.") % {"page": wanted}
                results = parse_response(request, _search(build_search_body(request, text_query)))
        except (ApiError, TransportError):
            logger.exception("Elasticsearch search failed")
            results = empty_results(
                request, _("Search is unavailable just now. Please try again in a moment.")
            )
            results.suggestions = popular_searches()
            return results
        if not results.total:
            message = message or _("Nothing found for “%(q)s”.") % {"q": request.q}
            results.suggestions = popular_searches()
        results.message = message
        return results

    def suggest(self, q: str, limit: int = 8, language: str = "zh-hans") -> list[dict]:
        from elasticsearch import ApiError, TransportError

        body = build_suggest_body(q, limit, language)
        try:
            found = parse_suggestions(_search(body)) if body else []
            if not found:
                # Nothing starts like that: the best search results instead.
                request = SearchRequest(q=q, per_page=limit, language=language)
                for _step, text_query in text_attempts(q):
                    response = _search(build_search_body(request, text_query))
                    if matched_count(response):
                        found = parse_suggestions(response)
                        break
        except (ApiError, TransportError):
            logger.exception("Elasticsearch suggest failed")
            return []
        return found[:limit]
