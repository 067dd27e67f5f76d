"""Factories for the home page, standard pages, footer settings and the English locale.

``make_home_page()`` gives the site its Chinese HomePage (under the tree root, set as the default
site's root page), as the demo and a real install have it; other apps' tests build under it.
"""

import factory
from wagtail.models import Locale, Page, Site

from home.models import HomePage, SiteFooterSettings, StandardPage
from tests.factories.attractions import ImageFactory, PageFactory

__all__ = [
    "HomePageFactory",
    "ImageFactory",
    "StandardPageFactory",
    "en_locale",
    "make_home_page",
    "set_footer",
    "translate",
]


class HomePageFactory(PageFactory):
    class Meta:
        model = HomePage

    title = "青溪镇"
    slug = "qingxi"
    hero_title = "来青溪，过几天田园日子"
    hero_intro = "山水田园，茶香桃红。"
    locale = factory.LazyFunction(Locale.get_default)


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"游客须知 {n}")
    slug = factory.Sequence(lambda n: f"standard-{n}")
    intro = "来青溪之前，先看看这些。"


def make_home_page(**fields):
    """A live Chinese HomePage under the tree root, made the default site's root page.

    Transactional tests flush every table afterwards, taking the root page, the default locale and
    the site the migrations made: they are rebuilt here when missing."""
    locale = Locale.objects.get_or_create(language_code="zh-hans")[0]
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePageFactory(parent=root, **fields)
    site = Site.objects.filter(is_default_site=True).first() or Site(
        hostname="localhost", port=80, is_default_site=True
    )
    site.root_page = home
    site.save()
    return home


def en_locale():
    return Locale.objects.get_or_create(language_code="en")[0]


def translate(page, language_code="en", **fields):
    """Copy ``page`` into ``language_code`` (its untranslated parents as aliases) and publish it."""
    locale = Locale.objects.get_or_create(language_code=language_code)[0]
    copy = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    copy.refresh_from_db()
    return copy


def set_footer(**fields):
    """Fill the default site's footer settings."""
    footer = SiteFooterSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(footer, name, value)
    footer.save()
    return footer
