"""Security middleware allauth does not cover: a rate limit on the Wagtail admin log-in and the
Content-Security-Policy header."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _


def client_ip(request):
    # Behind the proxy the first X-Forwarded-For address is the client's.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


class AdminLoginRateLimitMiddleware:
    """Counts POSTs to the Wagtail admin log-in per IP; over the limit answers 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.rstrip("/").endswith("/admin/login"):
            limit, window = settings.ADMIN_LOGIN_RATE_LIMIT
            key = f"admin-login:{client_ip(request)}"
            cache.add(key, 0, window)
            try:
                attempts = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)
                attempts = 1
            if attempts > limit:
                return HttpResponse(
                    _("Too many log-in attempts. Please wait a few minutes and try again."),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The Wagtail admin needs inline scripts of its own; the policy guards the public site.
        if not request.path_info.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
