"""Staff edit the search synonyms as a snippet (Snippets → Search synonyms)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = _("Search synonyms")
    list_display = ["__str__", "note"]
    search_fields = ["terms", "note"]
    ordering = ["pk"]


register_snippet(SearchSynonymViewSet)
