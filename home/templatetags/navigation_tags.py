"""The site shell's template tags: main navigation, language links, footer and absolute URLs.

Each costs at most one query per request and remembers its answer on the request, so a template
may call it twice (header and footer, or ``<head>`` and the language switch) for free. Between
publishes their answers come from the cache (``town.cache``): no query at all.
"""

from django import template
from django.conf import settings
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.images.models import AbstractImage
from wagtail.models import Page

from home.selectors import OG_RENDITION, content_language, get_model, section_links
from town.cache import cached
from town.sites import find_site

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_links(context):
    """Links to the live section index pages in the reader's language: one query per request."""
    request = context.get("request")
    return _mark_active(section_links(request), request)


def _mark_active(links, request):
    """Flag the section the reader is in (its index or any page below it)."""
    path = getattr(request, "path", "") or ""
    return [
        {**link, "active": link["url"].startswith("/") and path.startswith(link["url"])} for link in links
    ]


def _home_url(language_code):
    with translation.override(language_code):
        try:
            return reverse("wagtail_serve", args=[""])
        except NoReverseMatch:
            return "/"


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per site language: where this page is in that language.

    A Wagtail page links to its live translation (and only those count as hreflang alternates);
    a page without one links to that language's home page. Other views (search, account pages)
    swap the language prefix of the current address. One query on a page, none elsewhere.
    """
    request = context.get("request")
    remembered = getattr(request, "_tianyuan_language_links", None)
    if remembered is not None:
        return remembered
    page = context.get("page")
    if _is_published(page, request):
        site = find_site(request)
        links = cached(
            ("languages", page.pk, site.pk if site else None, translation.get_language()),
            lambda: _language_links(request, page),
            in_process=True,
        )
    else:
        links = _language_links(request, page)
    if request is not None:
        request._tianyuan_language_links = links
    return links


@register.simple_tag(takes_context=True)
def shell_path(context):
    """The path of a published page being served, which its header and ``<head>`` are cached
    under (``{% contentcache %}``: with the page, the site, the language and the content version,
    everything they show but the visitor's own part); None elsewhere (a preview, a view that is
    no page): rendered afresh."""
    request = context.get("request")
    if _is_published(context.get("page"), request):
        return request.path
    return None


def _is_published(page, request):
    """A live page served as published (not a preview): what it shows may come from the cache."""
    return (
        isinstance(page, Page)
        and page.pk
        and page.live
        and request is not None
        and not getattr(request, "is_preview", False)
    )


def _language_links(request, page):
    current = translation.get_language()
    translations = None
    if isinstance(page, Page) and page.pk:
        translations = {
            p.locale.language_code: p
            for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
        if page.pk not in {p.pk for p in translations.values()}:
            # A draft being previewed: it stands for the language it is shown in.
            translations[content_language()] = page

    links = []
    for code, name in settings.LANGUAGES:
        url = None
        alternate = False
        if translations is not None:
            target = translations.get(code)
            if target is not None:
                with translation.override(code):
                    url = target.get_url(request)
                alternate = bool(url)
            if not url:
                url = _home_url(code)
        elif request is not None:
            url = translate_url(request.get_full_path(), code)
            alternate = True
        else:
            url = _home_url(code)
        links.append(
            {"code": code, "name": name, "url": url, "current": code == current, "alternate": alternate}
        )
    return links


@register.simple_tag(takes_context=True)
def site_footer(context):
    """The footer settings of the current site in the reader's language (cached until the next edit)."""
    request = context.get("request")
    if request is None:
        return None
    site = find_site(request)
    language = translation.get_language()
    return cached(
        ("footer", site.pk if site else None, language), lambda: _footer(request, language), in_process=True
    )


def _footer(request, language):
    model = get_model("home.SiteFooterSettings")
    try:
        footer = model.for_request(request)
    except model.DoesNotExist:
        return None
    return footer.localized(language)


@register.filter
def absolute(url, request):
    """``url`` made absolute for the current request's host (left alone when it already is)."""
    if not url or "://" in url or request is None:
        return url
    return request.build_absolute_uri(url)


@register.simple_tag
def home_url():
    """The home page in the active language ("/" or "/en/")."""
    return _home_url(translation.get_language())


@register.simple_tag(takes_context=True)
def page_query(context, number, name="page"):
    """The current query string with ``name`` set to ``number`` (filters and search terms kept)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query[name] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def page_description(context):
    """What search engines and link previews show under the title: the page's search description,
    else its introduction (tags stripped); empty when neither is there."""
    page = context.get("page")
    if not isinstance(page, Page):
        return context.get("meta_description", "")
    for name in ("search_description", "intro", "hero_intro"):
        value = getattr(page, name, "")
        if value:
            return strip_tags(str(value)).strip()
    return ""


@register.simple_tag(takes_context=True)
def page_og_image(context):
    """The link-preview picture of the page (its ``image`` field) as {url, width, height, alt},
    or None. Cached per page until the next publish, so neither image nor rendition is read."""
    page = context.get("page")
    if not isinstance(page, Page):
        return None
    if _is_published(page, context.get("request")):
        return cached(("og-image", page.pk), lambda: _og_image(page), in_process=True)
    return _og_image(page)


def _og_image(page):
    image = getattr(page, "image", None)
    if not isinstance(image, AbstractImage):
        return None
    rendition = image.get_rendition(OG_RENDITION)
    return {"url": rendition.url, "width": rendition.width, "height": rendition.height, "alt": rendition.alt}
