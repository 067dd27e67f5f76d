"""The site's own name and address, for e-mails and anything said outside a page: the Wagtail
Site's name (editable in the admin, "Sites"), else ``WAGTAIL_SITE_NAME``; never the host a
request happened to come in on ("127.0.0.1:8101")."""

from dataclasses import dataclass

from django.conf import settings
from wagtail.models import Site


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    domain: str
    root_url: str


def site_identity(request=None) -> SiteIdentity:
    """The site ``request`` came in on (else the default site): its name, host and root URL."""
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    fallback = getattr(settings, "WAGTAIL_SITE_NAME", "") or "Tianyuan"
    if site is None:
        return SiteIdentity(name=fallback, domain="", root_url="")
    return SiteIdentity(name=site.site_name or fallback, domain=site.hostname, root_url=site.root_url)


def email_subject(subject, request=None) -> str:
    """``subject`` with the site's name in front: "[青溪 · 田园 Tianyuan] Your booking ..."."""
    return f"[{site_identity(request).name}] {subject}"
