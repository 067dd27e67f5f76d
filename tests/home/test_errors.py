import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_friendly_404_in_chinese(client, home_page):
    response = client.get("/no-such-place/")

    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert 'action="/search/"' in body and 'name="q"' in body
    assert 'class="site-header"' in body


def test_unknown_english_address_gets_the_404_in_english(client, home_page):
    response = client.get("/en/no-such-place/")

    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Page not found" in body
    assert 'action="/en/search/"' in body
    assert 'href="/en/"' in body


def test_404_works_before_any_page_exists(client, db):
    assert client.get("/nothing-here/").status_code == 404


def test_500_page_needs_no_request_context():
    body = render_to_string("500.html")

    assert "出错了" in body and "Something went wrong" in body
    assert 'action="/search/"' in body and 'href="/"' in body
    assert "{%" not in body


def test_server_error_view_renders_the_500_page(db):
    response = server_error(RequestFactory().get("/boom/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
