"""What search finds among the office's own pages: published standard pages."""

from django.utils.translation import pgettext_lazy

from search.registry import SearchKind, register

from .models import StandardPage

register(
    SearchKind(
        kind="page",
        model=StandardPage,
        # Its own context: the pagination's "Pages" is 分页, a kind of result is 页面.
        label=pgettext_lazy("kind of search result", "Pages"),
        queryset=lambda: StandardPage.objects.live().public(),
        select_related=("image",),
        text=lambda page: [page.title, page.intro or page.search_description, page.body],
        image=lambda page: page.image,
        order=90,
    )
)
