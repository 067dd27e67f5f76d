"""The site shell: navigation, language switch, account menu, messages and allauth's pages in it."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories.attractions import AttractionIndexPageFactory
from tests.factories.events import EventIndexPageFactory
from tests.factories.home import translate

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def nav(body):
    start = body.index('<nav class="site-nav"')
    return body[start : body.index("</nav>", start)]


def test_navigation_links_the_live_sections_and_hides_missing_ones(client, home_page):
    AttractionIndexPageFactory(parent=home_page)
    EventIndexPageFactory(parent=home_page, publish=False)

    menu = nav(html(client.get("/")))

    assert 'href="/attractions/"' in menu
    assert 'href="/events/"' not in menu  # a draft section is not linked
    assert 'href="/search/"' in menu


def test_navigation_links_the_english_sections_on_english_pages(client, home_page):
    attractions = AttractionIndexPageFactory(parent=home_page)
    translate(attractions, "en", title="Attractions")

    menu = nav(html(client.get("/en/")))

    assert 'href="/en/attractions/"' in menu
    assert 'href="/en/search/"' in menu


def test_study_tours_are_in_the_navigation_in_both_languages(client, home_page):
    from tests.groups.conftest import ProgrammeIndexFactory

    index = ProgrammeIndexFactory(parent=home_page)
    translate(index, "en", title="Study tours")

    assert 'href="/study-tours/"' in nav(html(client.get("/")))
    menu = nav(html(client.get("/en/study-tours/")))
    assert 'href="/en/study-tours/" aria-current="page"' in menu
    # The phone's scrolling row brings the current section into view.
    assert "js/site-nav.js" in menu


def test_current_section_is_marked_in_the_navigation(client, home_page):
    AttractionIndexPageFactory(parent=home_page)

    menu = nav(html(client.get("/attractions/")))

    assert 'href="/attractions/" aria-current="page"' in menu


def test_language_switch_on_a_view_swaps_the_language_prefix(client, home_page):
    body = html(client.get("/search/?q=tea"))

    assert '<a href="/en/search/?q=tea" hreflang="en" lang="en">English</a>' in body


def test_visitors_see_log_in_and_sign_up(client, home_page):
    body = html(client.get("/"))

    assert 'href="/accounts/login/?next=/"' in body
    assert 'href="/accounts/signup/"' in body
    assert 'action="/accounts/logout/"' not in body


def test_signed_in_users_see_their_account_and_log_out(client, home_page):
    user = get_user_model().objects.create_user("li.hua@example.com", "s3cret-pass-123")
    client.force_login(user)

    body = html(client.get("/"))

    assert 'class="account-menu"' in body
    assert 'action="/accounts/logout/"' in body
    assert 'href="/accounts/login/' not in body


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_account_pages_are_in_the_site_shell(client, home_page, prefix, path):
    response = client.get(prefix + path)

    assert response.status_code == 200
    body = html(response)
    assert f'<html lang="{"en" if prefix else "zh-hans"}">' in body
    assert 'class="site-header"' in body and 'class="site-footer"' in body
    assert '<body class="page-account">' in body
    assert '<meta name="robots" content="noindex">' in body
    assert 'class="form' in body and 'class="button button--primary"' in body


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_sign_up_lands_on_the_verification_page_with_its_message_in_the_shell(client, home_page, prefix):
    # A different address per run: allauth rate-limits confirmation mails per address in the cache.
    email = f"new.visitor{prefix.replace('/', '.')}@example.com"
    response = client.post(
        f"{prefix}/accounts/signup/",
        {"email": email, "password1": "tea-hills-2026!", "password2": "tea-hills-2026!"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{prefix}/accounts/confirm-email/"
    body = html(response)
    assert 'class="site-header"' in body
    assert '<div class="wrap" role="status">\n  <ul class="messages">' in body
    assert email in body


def test_form_errors_are_shown_next_to_the_fields(client, home_page):
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "wrong"})

    assert response.status_code == 200
    assert 'class="errorlist' in html(response)


def test_the_shell_speaks_chinese_first_and_english_under_en(client, home_page):
    translate(home_page, "en", title="Qingxi")

    chinese = html(client.get("/"))
    english = html(client.get("/en/"))

    assert "跳到正文" in chinese and "游客中心" in chinese
    assert "Skip to content" in english and "Visitor centre" in english
