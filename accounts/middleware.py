"""The Content-Security-Policy header, sent in production. (Log-in limits are allauth's, for the
site and the admin alike: ACCOUNT_RATE_LIMITS in the settings.)"""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The Wagtail admin needs inline scripts of its own; the policy guards the public site.
        if not request.path_info.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
