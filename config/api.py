"""The JSON API (django-ninja): one NinjaAPI, one router per app, schema at /api/v1/openapi.json."""

from functools import wraps

from django.utils import translation
from django.utils.cache import patch_vary_headers
from ninja import NinjaAPI

from accounts.api import router as accounts_router
from accounts.tokens import TokenRejected
from attractions.api import router as experiences_router
from events.api import router as events_router
from feedback.api import router as feedback_router
from gates.api import router as entry_router
from groups.api import enquiry_router as group_enquiry_router
from groups.api import quote_router as group_quote_router
from homestays.api import router as homestays_router
from live.api import router as live_router
from orders.api import router as orders_router
from orders.waitlist_api import router as waitlist_router
from products.api import router as products_router
from reviews.api import router as reviews_router
from scenic.api import router as scenic_router
from scenic.parking import ParkingError
from search.api import router as search_router
from statements.api import router as statements_router
from town.page_cache import api_language


def in_request_language(run):
    """/api/v1/ is outside i18n_patterns, so LocaleMiddleware leaves it in the default language:
    answer in the caller's (``?lang=``, else language cookie, then Accept-Language; zh-hans when
    none says)."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        language = api_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = run(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        # Authorization: an app's token picks the account, as the session cookie does.
        patch_vary_headers(response, ("Accept-Language", "Cookie", "Authorization"))
        return response

    return wrapper


api = NinjaAPI(title="Tianyuan API", version="1", urls_namespace="api")
# "view" mode: around validation too, so every message of the API is in the caller's language.
api.add_decorator(in_request_language, mode="view")
api.add_router("/homestays/", homestays_router)
api.add_router("/experiences/", experiences_router)
api.add_router("/events/", events_router)
api.add_router("/entry/", entry_router)
api.add_router("/search/", search_router)
api.add_router("/products", products_router)
api.add_router("/live", live_router)
api.add_router("/", orders_router)
api.add_router("/waitlist", waitlist_router)
api.add_router("/auth/", accounts_router)
api.add_router("/problem-reports", feedback_router)
api.add_router("/group-enquiries", group_enquiry_router)
api.add_router("/quotes", group_quote_router)
api.add_router("/reviews", reviews_router)
api.add_router("/", statements_router)
# GET /now and the counter systems' POST /parking/{id}/count.
api.add_router("/", scenic_router)


@api.exception_handler(TokenRejected)
def token_rejected(request, exc):
    """A Bearer token that does not work (accounts.api.AppToken): 401 with the reason."""
    response = api.create_response(request, {"detail": str(exc.message), "code": exc.code}, status=401)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(ParkingError)
def parking_refused(request, exc):
    """A parking count refused (scenic.parking): its status (401, 403, 404, 422) and the reason;
    nothing was stored."""
    return api.create_response(request, {"detail": str(exc.message), "code": exc.code}, status=exc.status)
