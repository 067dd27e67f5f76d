from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from config.api import api
from events import views as event_views
from home import routing as home_routing
from home.sitemaps import PageSitemap
from homestays import calendar_views
from orders.payments import alipay_views, wechatpay_views
from orders.payments import views as payment_views
from search import views as search_views

urlpatterns = [
    # Before Wagtail's own log-in at the same address: the admin logs in at the site's page.
    path("admin/login/", account_views.admin_login),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PageSitemap}}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # A stable address for calendar apps, the same in both languages.
    path("events.ics", event_views.events_ical, name="events_ical"),
    # A room type's busy nights for other platforms; the token is the secret (calendar_sync).
    path(
        "calendars/rooms/<str:token>.ics",
        calendar_views.room_type_ical,
        name="homestays_room_type_ical",
    ),
    path("api/v1/", api.urls),
    # Stripe posts here (signed); never translated, never CSRF-checked.
    path("payments/stripe/webhook/", payment_views.stripe_webhook, name="payments_stripe_webhook"),
    # WeChat Pay posts here (signed by its platform key); the address sent with every order.
    path("payments/wechatpay/notify/", wechatpay_views.wechatpay_notify, name="payments_wechatpay_notify"),
    # Alipay posts its signed notifications here (answered "success"); likewise never translated.
    path("payments/alipay/notify/", alipay_views.alipay_notify, name="payments_alipay_notify"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("search/", search_views.search, name="search"),
    path("orders/<str:ref>/pay/", payment_views.stripe_pay, name="payments_stripe_pay"),
    path("orders/<str:ref>/pay/wechat/", wechatpay_views.wechatpay_pay, name="payments_wechatpay_pay"),
    # WeChat's web authorisation comes back here (inside WeChat: the openid JSAPI needs).
    path(
        "orders/<str:ref>/pay/wechat/authorised/",
        wechatpay_views.wechatpay_oauth_return,
        name="payments_wechatpay_oauth",
    ),
    # The order's state while an online payment is awaited, for every provider's page (polled).
    path("orders/<str:ref>/pay/status/", payment_views.payment_status, name="payments_order_status"),
    path("orders/<str:ref>/alipay/", alipay_views.alipay_pay, name="payments_alipay_pay"),
    path("orders/<str:ref>/alipay/return/", alipay_views.alipay_return, name="payments_alipay_return"),
    # Basket, checkout, "My trips" (/basket/, /checkout/, /trips/).
    path("", include("orders.urls")),
    # A stay's "add to basket" (/basket/add/).
    path("", include("homestays.urls")),
    # Gate check-in for staff (/gate/).
    path("", include("events.urls")),
    # Visitors' problem reports and their private status pages (/report-a-problem/).
    path("", include("feedback.urls")),
    # Group and study-tour enquiries and quotes (/groups/...).
    path("", include("groups.urls")),
    # Guests' reviews: the form from "my trips", abuse reports, replies (/reviews/...).
    path("", include("reviews.urls")),
    # Live selling sessions (/live/...).
    path("", include("live.urls")),
    # "Right now" (/now/) and the staff's parking counter (/parking/).
    path("", include("scenic.urls")),
    # Timed entry to scenic spots, the spot gate and the crowd counter (/entry/...).
    path("", include("gates.urls")),
    # The farmer's statement of earnings and payouts (statements), beside the dashboard.
    path("farmer/statement/", include("statements.urls")),
    # The farmer dashboard (products/dashboard), made for a phone.
    path("farmer/", include("products.dashboard.urls")),
    # Wagtail serves every page; it must stay last. Its page view, routed from the home page in
    # the visitor's language in one query (home/routing.py); the rest of its URLs as they are.
    re_path(wagtail_urls.serve_pattern, home_routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
