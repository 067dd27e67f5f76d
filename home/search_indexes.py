"""What search finds among the office's own pages: published standard pages."""

from django.utils.translation import gettext_lazy as _

from search.registry import SearchKind, register

from .models import StandardPage

register(
    SearchKind(
        kind="page",
        model=StandardPage,
        label=_("Pages"),
        queryset=lambda: StandardPage.objects.live().public(),
        select_related=("image",),
        text=lambda page: [page.title, page.intro or page.search_description, page.body],
        image=lambda page: page.image,
        order=90,
    )
)
