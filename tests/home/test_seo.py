import re

import pytest

from tests.factories.home import ImageFactory, StandardPageFactory, translate

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def meta(body, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', body)
    return match[1] if match else None


def test_page_head_has_description_canonical_and_open_graph(client, home_page):
    page = StandardPageFactory(
        parent=home_page,
        slug="tea",
        title="茶山采茶",
        search_description="春天到茶山采一篮明前茶。",
        image=ImageFactory(title="茶园"),
    )

    body = html(client.get(page.url))

    assert meta(body, "name", "description") == "春天到茶山采一篮明前茶。"
    assert '<link rel="canonical" href="http://testserver/tea/">' in body
    assert meta(body, "property", "og:title") == "茶山采茶"
    assert meta(body, "property", "og:description") == "春天到茶山采一篮明前茶。"
    assert meta(body, "property", "og:type") == "article"
    assert meta(body, "property", "og:url") == "http://testserver/tea/"
    og_image = meta(body, "property", "og:image")
    assert og_image.startswith("http://testserver/media/images/") and og_image.endswith(".jpg")
    assert meta(body, "name", "robots") is None


def test_description_falls_back_to_the_introduction(client, home_page):
    page = StandardPageFactory(parent=home_page, slug="intro-only", intro="石板街上的老茶馆。")

    assert meta(html(client.get(page.url)), "name", "description") == "石板街上的老茶馆。"


def test_translated_pages_point_at_each_other_with_hreflang(client, home_page):
    page = StandardPageFactory(parent=home_page, slug="guide", title="攻略")
    translate(page, "en", title="Guide")

    chinese = html(client.get("/guide/"))
    english = html(client.get("/en/guide/"))

    for body in (chinese, english):
        assert '<link rel="alternate" hreflang="zh-hans" href="http://testserver/guide/">' in body
        assert '<link rel="alternate" hreflang="en" href="http://testserver/en/guide/">' in body
        assert '<link rel="alternate" hreflang="x-default" href="http://testserver/guide/">' in body
    assert '<a href="/en/guide/" hreflang="en" lang="en">English</a>' in chinese
    assert '<a href="/guide/" hreflang="zh-hans" lang="zh-hans">简体中文</a>' in english


def test_untranslated_page_has_no_english_alternate_and_switches_to_the_english_home(client, home_page):
    StandardPageFactory(parent=home_page, slug="only-chinese")
    translate(home_page, "en", title="Qingxi")

    body = html(client.get("/only-chinese/"))

    assert 'hreflang="en" href=' not in body
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in body


def test_search_results_are_kept_out_of_search_engines(client, home_page):
    body = html(client.get("/search/?q=茶"))

    assert meta(body, "name", "robots") == "noindex, follow"


def test_sitemap_lists_live_pages_in_both_languages_and_no_drafts(client, home_page):
    StandardPageFactory(parent=home_page, slug="published-guide")
    StandardPageFactory(parent=home_page, slug="unfinished-draft", publish=False)
    translate(home_page, "en", title="Qingxi")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = html(response)
    assert "/published-guide/</loc>" in body
    assert "/en/</loc>" in body
    assert "unfinished-draft" not in body


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = html(response)
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
