"""The site's own name and address, for e-mails and anything said outside a page: the Wagtail
Site's name (editable in the admin, "Sites"), else ``WAGTAIL_SITE_NAME``; never the host a
request happened to come in on ("127.0.0.1:8101")."""

from dataclasses import dataclass

from django.conf import settings
from django.http.request import split_domain_port
from wagtail.models import Site

from .cache import content_memo


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    domain: str
    root_url: str


def find_site(request):
    """``Site.find_for_request(request)`` without its query: which site a host name and port are
    is remembered in this process until the next edit (sites are content: ``town.cache``), and
    put on the request where Wagtail's own look-ups (settings, page routing, fragment caches)
    find it. The Site row is shared by this process's requests: read it, never change it."""
    if request is None:
        return None
    try:
        return request._wagtail_site
    except AttributeError:
        pass
    # The host as Wagtail takes it (no ALLOWED_HOSTS check: CommonMiddleware made it).
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    site = content_memo.get_or_set(("site", hostname, port), lambda: Site._find_for_request(request))
    request._wagtail_site = site
    return site


def site_identity(request=None) -> SiteIdentity:
    """The site ``request`` came in on (else the default site): its name, host and root URL."""
    site = find_site(request)
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    fallback = getattr(settings, "WAGTAIL_SITE_NAME", "") or "Tianyuan"
    if site is None:
        return SiteIdentity(name=fallback, domain="", root_url="")
    return SiteIdentity(name=site.site_name or fallback, domain=site.hostname, root_url=site.root_url)


def email_subject(subject, request=None) -> str:
    """``subject`` with the site's name in front: "[青溪 · 田园 Tianyuan] Your booking ..."."""
    return f"[{site_identity(request).name}] {subject}"
