"""Django settings, read from FENXIAO_* environment variables with embedded defaults."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"FENXIAO_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def _default_data_dir() -> Path:
    checkout = PACKAGE_DIR.parents[1]
    if (checkout / "pyproject.toml").exists():
        return checkout / "var"
    return Path.home() / ".local" / "share" / "fenxiao"


DATA_DIR = Path(env("DATA_DIR") or _default_data_dir()).resolve()
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or "insecure-dev-key-set-FENXIAO_SECRET_KEY-in-production"
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
] or [f"http://{h}:8000" for h in ALLOWED_HOSTS if h != "*"]

INSTALLED_APPS = [
    "fenxiao.console.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_prose_editor",
    "ninja",  # serves Swagger UI from its bundled static files, not a CDN (/api/v1/docs)
    "fenxiao.console",
    "fenxiao.accounts",
    "fenxiao.catalog",
    "fenxiao.orders",
    "fenxiao.payments",
    "fenxiao.ledger",
    "fenxiao.distribution",
    "fenxiao.storefront",
    "fenxiao.payouts",
    "fenxiao.marketing",
    "fenxiao.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fenxiao.middleware.staff_statements_planned_for_their_values",
    # last, as django-axes asks: it turns a lock-out into the 429 page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fenxiao.urls"
WSGI_APPLICATION = "fenxiao.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/admin/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'fenxiao.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        # keep connections across requests (per gunicorn thread), checked before reuse
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing on a lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DB_PREPARE_AFTER = env("DB_PREPARE_AFTER", "5")
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DB_PREPARE_AFTER != "off":
    # parameters bound by the server, and a statement run that many times on a connection
    # prepared there: PostgreSQL parses it once, and once it has planned it five times it
    # keeps a generic plan unless that looks dearer (parsing and planning were about a third
    # of its CPU in a purchase). Reports ask for plans of their own period (db.set_local),
    # product searches for their own term and staff requests for their values (db.unprepared).
    # "off" for a pooler that cannot keep prepared statements (PgBouncer's transaction
    # pooling before 1.21).
    if not DB_PREPARE_AFTER.isdigit():
        raise ImproperlyConfigured("FENXIAO_DB_PREPARE_AFTER must be a whole number or off")
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": int(DB_PREPARE_AFTER),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "fenxiao")
            + os.environ.get("PYTEST_XDIST_WORKER", ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 6},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # staff (anyone who can open the console) need more: 10+ characters, not a common password
    {"NAME": "fenxiao.accounts.passwords.StaffPasswordValidator", "OPTIONS": {"min_length": 10}},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked (phone, IP) before the password
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the console and storefront speak Chinese only
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = "fenxiao.formats"  # 2026-11-30 19:25 in the console's lists
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or DATA_DIR / "media")
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# The H5 build of the uni-app client (`make client`), served at / with its assets under /h5/.
CLIENT_H5_DIR = Path(
    env("CLIENT_H5_DIR") or PACKAGE_DIR.parents[1] / "client" / "dist" / "build" / "h5"
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Distribution: a deployment may cap commission levels lower than the legal three.
MAX_LEVELS = int(env("MAX_LEVELS", "3"))
if not 1 <= MAX_LEVELS <= 3:
    raise ImproperlyConfigured("FENXIAO_MAX_LEVELS must be 1, 2 or 3 (more is pyramid selling)")

# Shop rules (DESIGN.md, "Order life cycle").
ORDER_PAY_TIMEOUT = timedelta(minutes=int(env("ORDER_PAY_TIMEOUT_MINUTES", "30")))
AUTO_CONFIRM_DAYS = int(env("AUTO_CONFIRM_DAYS", "10"))
# commissions settled per transaction by `run-due` (each batch commits on its own; a batch
# holds its beneficiaries' ledger accounts for well under a second)
SETTLE_BATCH = max(1, int(env("SETTLE_BATCH", "5000")))
ORDER_MAX_LINES = 50
# a product list counts at most this many matches and then says "10,000+": a term in most
# products costs a bounded count instead of one over all of them (bench/catalog.py)
CATALOG_COUNT_CAP = int(env("CATALOG_COUNT_CAP", "10000"))
# seconds a page of the public product list is served from the cache (0: not cached)
CATALOG_PAGE_CACHE_SECONDS = int(env("CATALOG_PAGE_CACHE_SECONDS", "5"))
ORDER_MAX_QUANTITY = 999
# API log-in: failures counted per (phone, client IP), so a stranger cannot lock a buyer out
# from elsewhere, and per IP across phones (credential stuffing); refused attempts count nothing.
LOGIN_MAX_FAILURES_PER_PHONE = int(env("LOGIN_MAX_FAILURES_PER_PHONE", "5"))
LOGIN_MAX_FAILURES_PER_IP = int(env("LOGIN_MAX_FAILURES_PER_IP", "30"))
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
# accounts made per client IP per hour, through /auth/register and the WeChat log-in
REGISTER_MAX_PER_IP = int(env("REGISTER_MAX_PER_IP", "20"))
WECHAT_LOGIN_MAX_PER_IP = int(env("WECHAT_LOGIN_MAX_PER_IP", "60"))
SIGNUP_WINDOW = timedelta(hours=1)
# addresses not limited: the machine itself (load tests, a co-located job); behind a proxy, set
# FENXIAO_TRUSTED_PROXY_COUNT so visitors are told apart, or every one would look like the proxy
SIGNUP_LIMIT_EXEMPT = {a.strip() for a in env("SIGNUP_LIMIT_EXEMPT", "127.0.0.1,::1").split(",")}
SIGNUP_LIMIT_EXEMPT.discard("")
# API tokens: renewed on use up to an idle limit, never older than the maximum age; staff idle
# out sooner. A password change ends every token of that user.
TOKEN_IDLE = timedelta(days=int(env("TOKEN_IDLE_DAYS", "30")))
STAFF_TOKEN_IDLE = timedelta(hours=int(env("STAFF_TOKEN_IDLE_HOURS", "12")))
TOKEN_MAX_AGE = timedelta(days=int(env("TOKEN_MAX_AGE_DAYS", "90")))

# Console log-in (django-axes): 10 failures lock that (phone, client IP) pair for the cool-off;
# the owner can see and lift lock-outs under 用户与员工 › 登录锁定.
AXES_FAILURE_LIMIT = int(env("CONSOLE_LOGIN_MAX_FAILURES", "10"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the console form's field name (USERNAME_FIELD is phone)
AXES_COOLOFF_TIME = timedelta(minutes=int(env("CONSOLE_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "fenxiao.accounts.net.client_ip"
AXES_LOCKOUT_CALLABLE = "fenxiao.console.views.lockout"
AXES_ENABLE_ADMIN = False  # shown through fenxiao's own Chinese pages (accounts/admin.py)
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# how many reverse proxies (nginx, a load balancer) stand in front: the client address is read
# from X-Forwarded-For only that far
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Payments. The sandbox keeps its locally generated platform key here.
PAYMENT_PROVIDERS = [p.strip() for p in env("PAYMENT_PROVIDERS", "sandbox").split(",") if p]
SANDBOX_KEY_DIR = Path(env("SANDBOX_KEY_DIR") or DATA_DIR / "sandbox")
NOTIFY_MAX_SKEW = timedelta(minutes=5)
REFUND_RETRY_AFTER = timedelta(minutes=10)
# a payment still unpaid this long after it was created is asked about (its notification may
# have been lost); WeChat's bills of a day are ready after 10:00 the next day (Asia/Shanghai)
PAYMENT_QUERY_AFTER = timedelta(minutes=int(env("PAYMENT_QUERY_AFTER_MINUTES", "5")))
WECHAT_APPID = env("WECHAT_APPID")
WECHAT_SECRET = env("WECHAT_SECRET")
# mini-program log-in: "wechat" (code2session) when an app is configured, else the sandbox
WECHAT_LOGIN = env("WECHAT_LOGIN", "wechat" if WECHAT_APPID and WECHAT_SECRET else "sandbox")
WECHAT_API_BASE = env("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_MCHID = env("WECHAT_MCHID")
WECHAT_CERT_SERIAL = env("WECHAT_CERT_SERIAL")
WECHAT_PRIVATE_KEY_PATH = env("WECHAT_PRIVATE_KEY_PATH")
WECHAT_APIV3_KEY = env("WECHAT_APIV3_KEY")
WECHAT_PUBLIC_KEY_PATH = env("WECHAT_PUBLIC_KEY_PATH")
WECHAT_PUBLIC_KEY_ID = env("WECHAT_PUBLIC_KEY_ID")
WECHAT_PAY_GATEWAY = env("WECHAT_PAY_GATEWAY", "https://api.mch.weixin.qq.com")

# Payouts. Enabled withdrawal channels: wechat (商家转账 to the user's balance) when WeChat Pay
# is configured, the sandbox that plays it, and bank / Alipay paid by hand.
_WECHAT_PAY_SET = all(
    [
        WECHAT_APPID,
        WECHAT_MCHID,
        WECHAT_CERT_SERIAL,
        WECHAT_PRIVATE_KEY_PATH,
        WECHAT_APIV3_KEY,
        WECHAT_PUBLIC_KEY_PATH,
        WECHAT_PUBLIC_KEY_ID,
    ]
)
PAYOUT_CHANNELS = [
    c.strip()
    for c in env(
        "PAYOUT_CHANNELS",
        "sandbox,wechat,bank,alipay" if _WECHAT_PAY_SET else "sandbox,bank,alipay",
    ).split(",")
    if c.strip()
]
# scene 1005 (佣金报酬) and what it reports: 岗位类型 and 报酬说明, and what the user sees
WECHAT_TRANSFER_SCENE_ID = env("WECHAT_TRANSFER_SCENE_ID", "1005")
WECHAT_TRANSFER_POST_TYPE = env("WECHAT_TRANSFER_POST_TYPE", "分销推广员")
WECHAT_TRANSFER_REWARD_NOTE = env("WECHAT_TRANSFER_REWARD_NOTE", "商品分销佣金")
WECHAT_TRANSFER_PERCEPTION = env("WECHAT_TRANSFER_PERCEPTION", "劳务报酬")
# a bill the user has not confirmed is cancelled after this (WeChat's own limit is longer);
# bills without a final state are queried once they are this old
TRANSFER_CONFIRM_HOURS = timedelta(hours=int(env("TRANSFER_CONFIRM_HOURS", "24")))
TRANSFER_QUERY_AFTER = timedelta(minutes=int(env("TRANSFER_QUERY_AFTER_MINUTES", "5")))
TRANSFER_MAX_ATTEMPTS = 3

# Distributor posters. Text needs a CJK font: FENXIAO_POSTER_FONT, else the first of these that
# exists (Debian's fonts-noto-cjk, installed by `make fonts`); none → 503 poster_font_missing.
POSTER_FONT = env("POSTER_FONT")
POSTER_FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
# With WECHAT_APPID/SECRET set, posters carry a mini-program code (wxacode.getUnlimited) that
# opens this page, in this version of the mini-program: release, trial or develop.
WECHAT_CODE_PAGE = env("WECHAT_CODE_PAGE", "pages/product/detail")
WECHAT_CODE_ENV = env("WECHAT_CODE_ENV", "release")
if WECHAT_CODE_ENV not in {"release", "trial", "develop"}:
    raise ImproperlyConfigured("FENXIAO_WECHAT_CODE_ENV must be release, trial or develop")

# Celery: Redis in production; an on-disk broker keeps the embedded demo self-contained.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-done"),
        # exchange tables; kombu's default is ./control in whatever directory the worker runs
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"

# Served over HTTPS (directly or behind a TLS-terminating proxy): redirect plain HTTP, send HSTS,
# and mark the session and CSRF cookies Secure.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
