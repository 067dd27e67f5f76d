"""Settings shared by every environment. Anything secret or deployment-specific comes from the
environment (see README.md, "Running in production")."""

import json
import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_json(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return json.loads(value)
    except ValueError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Key of the ID numbers kept for real-name entry (gates.idcards): a Fernet key; unset, one is
# derived from SECRET_KEY (then changing SECRET_KEY makes the stored numbers unreadable).
GATES_ID_KEY = os.environ.get("GATES_ID_KEY", "")
# Days after the visit day that those numbers are kept, then removed (gates.retention, where the
# default of a week is argued); the masked number stays on the order.
GATES_ID_RETENTION_DAYS = int(os.environ.get("GATES_ID_RETENTION_DAYS", "7"))
# Group rosters (groups.rosters): the largest file and the most rows an upload may have, and the
# days after the trip's last day that their ID numbers are kept (groups.retention; default a month).
GROUPS_ROSTER_MAX_BYTES = int(os.environ.get("GROUPS_ROSTER_MAX_BYTES", str(1024 * 1024)))
GROUPS_ROSTER_MAX_ROWS = int(os.environ.get("GROUPS_ROSTER_MAX_ROWS", "1000"))
GROUPS_ROSTER_RETENTION_DAYS = int(os.environ.get("GROUPS_ROSTER_RETENTION_DAYS", "30"))
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    # Ours, first so our templates win over the packages' ones; town, the base, first of all.
    "town",
    "accounts",
    "home",
    "attractions",
    "events",
    "homestays",
    "products",
    "gates",
    "orders",
    "search",
    "search.elastic",
    "reports",
    "statements",
    "feedback",
    "groups",
    "reviews",
    "live",
    "scenic",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    # Purges a CDN when a page is published or unpublished (WAGTAILFRONTENDCACHE, production
    # settings); without that setting it does nothing.
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.table_block",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.wagtail_users.TianyuanUsersAppConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    # allauth
    "allauth",
    "allauth.account",
    # WeChat log-in (accounts.social), offered only when WECHAT_APP_ID and WECHAT_APP_SECRET are set.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.weixin",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the rest, so a stored page skips them: it replays what they add to a page, works out
    # the language by LocaleMiddleware's rules and sets the CSRF cookie itself (town/page_cache.py).
    "town.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.site_shell",
                # Last: a page rendered for the page cache gets a CSRF placeholder, not a token.
                "town.page_cache.context_processor",
            ],
        },
    },
]

# Database: SQLite file by default, configured for a web server: WAL so readers never wait for
# the writer, a busy timeout instead of "database is locked", and IMMEDIATE transactions so a
# transaction that will write takes the write lock at BEGIN (no upgrade deadlocks).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 10,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
    ),
}


def database_from_env(default_url):
    config = dj_database_url.parse(os.environ.get("DATABASE_URL", default_url), conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        config["CONN_MAX_AGE"] = 0
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_env(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Optional PostgreSQL read replica for the town's reports (town/replica.py); everything else, and
# every write, stays on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
REPORTS_DATABASE = "replica" if "replica" in DATABASES else "default"
DATABASE_ROUTERS = ["town.replica.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# One log-in for the site and the admin, so one limit and one lock apply to an account wherever
# it signs in: private pages and the admin send people to allauth's page (/admin/login/ only
# redirects there, accounts.views.admin_login), and the admin's own password reset is off.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_PASSWORD_RESET_ENABLED = False

# allauth: a mainland mobile number (an SMS code, no password needed) or an e-mail address is the
# login; nobody books or sells before verifying one of them (accounts.services).
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
# Both optional to allauth, one required by our form (accounts.forms.PhoneSignupForm), so e-mail
# accounts still sign up as before. allauth then warns that no login field is required (W001).
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1", "password2"]
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_FORMS = {
    "signup": "accounts.forms.PhoneSignupForm",
    "request_login_code": "accounts.forms.PhoneLoginCodeForm",
    "verify_phone": "accounts.forms.PhoneVerifyForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# "optional" because allauth requires it when e-mail is optional at sign-up; accounts.stages makes
# it mandatory again for every account without a verified mobile number.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
# SMS codes: 6 digits, 5 minutes, 3 tries, the same on the pages (allauth) and the API (ours).
PHONE_CODE_TIMEOUT = int(os.environ.get("PHONE_CODE_TIMEOUT", "300"))
PHONE_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = PHONE_CODE_TIMEOUT
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = PHONE_CODE_MAX_ATTEMPTS
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = PHONE_CODE_TIMEOUT
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = PHONE_CODE_MAX_ATTEMPTS
# Foreign mobile numbers (not +86) may sign up only where this is on: codes abroad cost more and
# are the usual target of SMS pumping.
PHONE_FOREIGN_NUMBERS_ALLOWED = env_bool("PHONE_FOREIGN_NUMBERS_ALLOWED", False)
# Codes per number, per client address and in total, as (count, seconds) windows
# (accounts.phone_codes); over any of them the visitor gets 429 and no code is sent.
PHONE_CODE_LIMITS = {
    "number": [(1, 60), (5, 60 * 60), (10, 24 * 60 * 60)],
    "client": [(10, 60 * 60), (30, 24 * 60 * 60)],
    "total": [(int(os.environ.get("PHONE_CODES_PER_DAY", "2000")), 24 * 60 * 60)],
}
# Tokens of the JSON API (Authorization: Bearer, accounts/tokens.py): apps and the WeChat
# mini-program get one at log-in; it lasts this many days, then the app logs in again.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
# The WeChat mini-program's log-in (accounts/wechat_miniprogram.py): off until both are set.
# WECHAT_API_BASE is WeChat's API for code2session and the web log-in (tests: a local server).
WECHAT_MINIPROGRAM_APP_ID = os.environ.get("WECHAT_MINIPROGRAM_APP_ID", "")
WECHAT_MINIPROGRAM_SECRET = os.environ.get("WECHAT_MINIPROGRAM_SECRET", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_API_TIMEOUT = 5
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[田园 Tianyuan] "
# allauth's own limits are on by default; these tighten the ones that matter most here. They
# count in the cache, which must be shared by every process (production: REDIS_URL). "key" is
# the account (accounts.adapters); "ip" the client's address: REMOTE_ADDR, or behind proxies
# the one they report (ALLAUTH_TRUSTED_PROXY_COUNT, production settings).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    # SMS codes are counted by accounts.phone_codes (per number, per address, in total, with a
    # clear 429); allauth's own count would raise mid-sign-up, after the account was made.
    "verify_phone": None,
    # Visitors' problem reports (feedback.limits): per client address and per number or account.
    "problem_report": "10/h/ip,5/h/key",
    # Group and study-tour enquiries (groups.limits): per client address and per contact number.
    "group_enquiry": "10/h/ip,5/h/key",
    # Reports of an abusive review (reviews.limits): per client address.
    "review_report": "10/h/ip",
}
# A problem report's private status pages seen from one client address a minute (feedback.limits),
# so their links cannot be walked through.
FEEDBACK_STATUS_LOOKUPS_PER_MINUTE = 30

# WeChat log-in by the web QR code (allauth's "weixin" provider; accounts.social): the app id and
# secret of a WeChat Open Platform website app, from the environment; without both, no button and
# its pages answer 404. A first WeChat log-in proves a mobile number by a code, which links WeChat
# to that number's account (or makes one), so no account is ever made without a number.
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
# WeChat's API (access token, user info) is WECHAT_API_BASE, above, shared with code2session.
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {"weixin": {"SCOPE": ["snsapi_login"]}}
if WECHAT_APP_ID and WECHAT_APP_SECRET:
    SOCIALACCOUNT_PROVIDERS["weixin"]["APP"] = {"client_id": WECHAT_APP_ID, "secret": WECHAT_APP_SECRET}
# Never straight in: the sign-up step asks for the mobile number and its code.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_FORMS = {
    "signup": "accounts.forms.SocialPhoneSignupForm",
    "disconnect": "accounts.forms.SocialDisconnectForm",
}

# Internationalisation: Chinese first (unprefixed URLs), English under /en/.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our date formats per language (config/formats/<lang>/formats.py), used by |date:"DATE_FORMAT".
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
CURRENCY = "CNY"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [
    SITE_DIR / "static",
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads and renditions in S3-compatible object storage (Alibaba OSS, Tencent COS, MinIO, AWS)
# when a bucket is named, so every app server reads and writes the same files; else MEDIA_ROOT.
# Keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment (read by the storage).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _BotoConfig

    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None  # unset: AWS itself
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    # A CDN's host name in front of the bucket (media.tianyuan.example): pages link there.
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_S3_CLIENT_CONFIG = _BotoConfig(
        # OSS and COS answer only virtual-hosted addresses (bucket.endpoint); MinIO path ones.
        s3={"addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "virtual")},
        # boto3 otherwise sends AWS's own checksum headers, which OSS, COS and MinIO refuse.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # Plain, unsigned URLs: what pages show is public, and a signed URL would expire inside the
    # cached pages (town/page_cache.py) and differ on every render, so no CDN could keep it. The
    # bucket (or the CDN) lets anyone read images/ (renditions); originals and documents stay
    # private and reach visitors only through the app.
    AWS_QUERYSTRING_AUTH = False
    AWS_DEFAULT_ACL = None  # the bucket's policy decides, not each object
    # Two farmers' "IMG_0001.jpg" must not overwrite each other: a taken name gets a suffix.
    AWS_S3_FILE_OVERWRITE = False
    # A rendition's name is reused only after its file was deleted (an image replaced): a day.
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "max-age=86400"}
    # Documents through Wagtail's view, which checks their privacy, never a redirect to the bucket.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Pages cache their fragments under a shared content version (town/cache.py): with more than one
# process, set REDIS_URL so a publish reaches them all.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # Several sites (or a test) on one Redis database keep apart by their prefix.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
# Wagtail remembers which rendition file answers an image and size in the cache named
# "renditions": in process memory, not a write to the shared cache on every image of every
# page. A missing entry costs one query, so nothing needs sharing.
RENDITIONS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "renditions",
    "TIMEOUT": 60 * 60,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
CACHES["renditions"] = RENDITIONS_CACHE

# The anonymous full-page cache (town/page_cache.py): public pages and API reads, in the default
# cache. Entries showing availability live shorter, since holds expire with the clock.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_STOCK_SECONDS = int(os.environ.get("PAGE_CACHE_STOCK_SECONDS", "60"))
# Each process also keeps the pages it serves in its own memory, up to this many bytes of pages.
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("PAGE_CACHE_LOCAL_BYTES", str(16 * 1024 * 1024)))
# Set RELEASE to something new on each deploy (the commit): pages stored by the previous code are
# then not served (or clear the cache when deploying).
PAGE_CACHE_RELEASE = os.environ.get("RELEASE", "")
PAGE_CACHE_API_PREFIXES = [
    "/api/v1/homestays/",
    "/api/v1/experiences/",
    "/api/v1/events/",
    "/api/v1/search/",
    "/api/v1/products",
    # Live sessions: cleared by every sale of a pinned product (its "live" stock tags).
    "/api/v1/live",
    # "Right now" (scenic): cleared by every parking count (its "parking" stock tag).
    "/api/v1/now",
]

# How often /now/'s script asks GET /api/v1/now for new numbers (scenic/static/scenic/now.js).
SCENIC_NOW_POLL_SECONDS = int(os.environ.get("SCENIC_NOW_POLL_SECONDS", "30"))

# Background work (e-mails, indexing, iCal polling): immediate here, a database queue in production.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Text messages (town/sms.py): "console" prints them, "memory" keeps them (tests), "aliyun" or
# "tencent" sends them through Alibaba Cloud or Tencent Cloud SMS (town/sms_providers.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_MAX_ATTEMPTS = 4
# The providers send only templates they approved: our template name -> the provider's template
# code and the parameters it takes, in order (Tencent numbers them {1}, {2}...), as JSON, e.g.
# {"verification_code": {"code": "SMS_154950909", "params": ["code", "minutes"]}}.
SMS_TEMPLATES = env_json("SMS_TEMPLATES", {})
# The signature (签名) approved by the provider, shown as 【...】 before each text.
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
# Alibaba Cloud SMS (Dysmsapi): an AccessKey of a RAM user allowed dysms:SendSms.
SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_REGION = os.environ.get("SMS_ALIYUN_REGION", "cn-hangzhou")
# Unset: the region's public endpoint. A host (a VPC endpoint: https) or a URL (tests: http://...).
SMS_ALIYUN_ENDPOINT = os.environ.get("SMS_ALIYUN_ENDPOINT", "")
# Tencent Cloud SMS: a CAM key (SecretId/SecretKey) and the SDK AppID of the SMS application.
SMS_TENCENT_SECRET_ID = os.environ.get("SMS_TENCENT_SECRET_ID", "")
SMS_TENCENT_SECRET_KEY = os.environ.get("SMS_TENCENT_SECRET_KEY", "")
SMS_TENCENT_SDK_APP_ID = os.environ.get("SMS_TENCENT_SDK_APP_ID", "")
SMS_TENCENT_REGION = os.environ.get("SMS_TENCENT_REGION", "ap-guangzhou")
SMS_TENCENT_ENDPOINT = os.environ.get("SMS_TENCENT_ENDPOINT", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "田园 Tianyuan <noreply@tianyuan.example>")

# Payments (orders/payments). On-site payment needs nothing; Stripe is offered only when its
# secret key is set. STRIPE_API_BASE points the client elsewhere (tests: a local localstripe).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_PAYMENT_METHOD_TYPES = env_list("STRIPE_PAYMENT_METHOD_TYPES", "card,alipay,wechat_pay")
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# WeChat Pay direct (API v3): offered at checkout only when the merchant id, app id, APIv3 key,
# merchant certificate serial and private key (PEM text or a file path) and the platform's public
# key (PEM or path, with its id) or a platform-certificate directory are all set.
# WECHATPAY_BASE_URL points the SDK elsewhere (tests: a local fake WeChat Pay).
WECHATPAY_MCHID = os.environ.get("WECHATPAY_MCHID", "")
WECHATPAY_APPID = os.environ.get("WECHATPAY_APPID", "")
WECHATPAY_APIV3_KEY = os.environ.get("WECHATPAY_APIV3_KEY", "")
WECHATPAY_CERT_SERIAL_NO = os.environ.get("WECHATPAY_CERT_SERIAL_NO", "")
WECHATPAY_PRIVATE_KEY = os.environ.get("WECHATPAY_PRIVATE_KEY", "")
WECHATPAY_PUBLIC_KEY = os.environ.get("WECHATPAY_PUBLIC_KEY", "")
WECHATPAY_PUBLIC_KEY_ID = os.environ.get("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_CERT_DIR = os.environ.get("WECHATPAY_CERT_DIR", "")
WECHATPAY_BASE_URL = os.environ.get("WECHATPAY_BASE_URL", "")
# Paying inside WeChat's browser (JSAPI) needs the payer's openid in the Official Account whose
# app id is WECHATPAY_APPID, learnt by its silent web authorisation (snsapi_base): its AppSecret.
# Unset: WeChat's browser is shown the QR code, as before. The Official Account must list this
# site's domain for web authorisation (网页授权域名) and WeChat Pay its pay directory (JSAPI支付授权目录).
# WECHAT_OPEN_BASE is where WeChat's authorisation page lives (tests: elsewhere).
WECHATPAY_APP_SECRET = os.environ.get("WECHATPAY_APP_SECRET", "")
WECHAT_OPEN_BASE = os.environ.get("WECHAT_OPEN_BASE", "https://open.weixin.qq.com")
# The public address WeChat posts its notifications to (…/payments/wechatpay/notify/): https.
WECHATPAY_NOTIFY_URL = os.environ.get("WECHATPAY_NOTIFY_URL", "")
# WeChat Pay refunds a payment online for up to a year after it.
WECHATPAY_REFUND_WINDOW_DAYS = int(os.environ.get("WECHATPAY_REFUND_WINDOW_DAYS", "365"))
# Online orders still unpaid this long after their holds expired are cancelled
# (orders_cancel_unpaid / orders.tasks.cancel_unpaid_orders): a late payment gets this much slack.
ORDERS_UNPAID_GRACE_MINUTES = int(os.environ.get("ORDERS_UNPAID_GRACE_MINUTES", "120"))
# Alipay direct (orders/payments/alipay_provider.py, RSA2): offered at checkout only when the app
# id, the app's private key and Alipay's public key are set (each key as PEM text, a file path, or
# the bare base64 Alipay's key tool prints). ALIPAY_GATEWAY points the SDK elsewhere (the sandbox,
# or tests: a local fake gateway); ALIPAY_NOTIFY_URL is the public https address Alipay posts its
# notifications to (…/payments/alipay/notify/; unset: built from the request's host).
ALIPAY_APP_ID = os.environ.get("ALIPAY_APP_ID", "")
ALIPAY_APP_PRIVATE_KEY = os.environ.get("ALIPAY_APP_PRIVATE_KEY", "")
ALIPAY_PUBLIC_KEY = os.environ.get("ALIPAY_PUBLIC_KEY", "")
ALIPAY_GATEWAY = os.environ.get("ALIPAY_GATEWAY", "")
ALIPAY_NOTIFY_URL = os.environ.get("ALIPAY_NOTIFY_URL", "")
# Alipay refunds a payment online for up to a year after it (its contract's window).
ALIPAY_REFUND_WINDOW_DAYS = int(os.environ.get("ALIPAY_REFUND_WINDOW_DAYS", "365"))
# Daily reconciliation (orders_reconcile): ours recorded this close to midnight and not on that
# day's statement are judged with the next day's (the provider may book them after midnight).
ORDERS_RECONCILE_BOUNDARY_MINUTES = int(os.environ.get("ORDERS_RECONCILE_BOUNDARY_MINUTES", "30"))
# How long a waiting-list offer holds the freed places for the visitor (orders.waitlist).
WAITLIST_OFFER_HOURS = float(os.environ.get("WAITLIST_OFFER_HOURS", "12"))
# Town reports and the admin dashboard are cached this long (seconds): figures of months can be
# a few minutes behind, and the office opens them many times an hour.
REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", "300"))

# Wagtail
WAGTAIL_SITE_NAME = "田园 Tianyuan"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Search (search/service.py): Elasticsearch when ELASTICSEARCH_URL is set, else the database.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
TIANYUAN_SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
# Elasticsearch (search/elastic): one alias per search kind, <prefix><kind>; Wagtail's own index
# (admin page search, images, documents) moves to Elasticsearch 8 too, under <prefix>wagtail_.
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "tianyuan_")
ELASTICSEARCH_REPLICAS = int(os.environ.get("ELASTICSEARCH_REPLICAS", "0"))
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [node.strip() for node in ELASTICSEARCH_URL.split(",") if node.strip()],
            "INDEX_PREFIX": f"{ELASTICSEARCH_INDEX_PREFIX}wagtail_",
            "TIMEOUT": 10,
            "INDEX_SETTINGS": {"settings": {"index": {"number_of_replicas": ELASTICSEARCH_REPLICAS}}},
        }
    }
# The search page's empty state offers these ("popular searches").
TIANYUAN_POPULAR_SEARCHES = ["草莓采摘", "桃花节", "民宿", "露营", "研学", "土特产"]
# Renditions are served as WebP (smaller on phones) unless a template asks for another format.
WAGTAILIMAGES_FORMAT_CONVERSIONS = {
    "gif": "webp",
    "bmp": "webp",
    "tiff": "webp",
    "png": "webp",
    "jpeg": "webp",
}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Pixels, checked from the file's header before anything is decoded (products/uploads.py). One
# photo: 40 million (a 48-50 MP phone's full-size mode is refused, its default 12 MP is four
# times under); Pillow's own limit is set to the same (products/apps.py). One farmer's request:
# 120 million, eight ordinary 12 MP photos (a product's most) with room to spare, three of the
# largest; decoding that is about a second of one worker. One user's hour: 400 million, some 33
# phone photos (four full products), counted in the database across every process.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
PRODUCTS_UPLOAD_MAX_PIXELS_PER_REQUEST = 120_000_000
PRODUCTS_UPLOAD_MAX_PIXELS_PER_HOUR = 400_000_000
# Photos a guest may add to one review (reviews/photos.py), within the limits above.
REVIEWS_MAX_PHOTOS = 4
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Maps: tiles from a configurable provider; coordinates stored as WGS-84.
# MAP_TILE_COORDS = "gcj02" for Chinese providers (AMap, Tianditu's GCJ layers).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
# Empty: OpenStreetMap's credit, in the visitor's language (home.context_processors).
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_COORDS = os.environ.get("MAP_TILE_COORDS", "wgs84")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
