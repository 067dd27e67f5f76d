import re

import pytest

from tests.factories.home import StandardPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.site_search]


def test_search_page_lists_results_with_descriptions_and_pages_through_them(client, home_page):
    for n in range(23):
        StandardPageFactory(
            parent=home_page, title=f"Peach walk {n}", slug=f"peach-{n}", search_description=f"Route {n}."
        )

    first = client.get("/search/", {"q": "peach"})
    second = client.get("/search/", {"q": "peach", "page": 2})

    assert first.status_code == 200
    body = first.content.decode()
    assert body.count('class="result"') == 20  # search.views.PER_PAGE
    assert len(re.findall(r">Peach walk \d+</a>", body)) == 20  # each result links its title
    assert 'href="?q=peach&amp;page=2"' in body and 'rel="next"' in body
    assert second.content.decode().count('class="result"') == 3


def test_search_without_results_says_so(client, home_page):
    response = client.get("/en/search/", {"q": "volcano"})

    body = response.content.decode()
    assert "Nothing found" in body
    assert 'value="volcano"' in body
