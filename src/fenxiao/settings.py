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
    "fenxiao.console",
    "fenxiao.accounts",
    "fenxiao.catalog",
    "fenxiao.orders",
    "fenxiao.payments",
    "fenxiao.ledger",
    "fenxiao.distribution",
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
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # the console and storefront speak Chinese only
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or DATA_DIR / "media")
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
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
ORDER_MAX_LINES = 50
ORDER_MAX_QUANTITY = 999
LOGIN_MAX_FAILURES_PER_PHONE = int(env("LOGIN_MAX_FAILURES_PER_PHONE", "5"))
LOGIN_MAX_FAILURES_PER_IP = int(env("LOGIN_MAX_FAILURES_PER_IP", "30"))
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
# how many reverse proxies (nginx, a load balancer) stand in front: the client address is read
# from X-Forwarded-For only that far
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Payments. The sandbox keeps its locally generated platform key here.
PAYMENT_PROVIDERS = [p.strip() for p in env("PAYMENT_PROVIDERS", "sandbox").split(",") if p]
SANDBOX_KEY_DIR = Path(env("SANDBOX_KEY_DIR") or DATA_DIR / "sandbox")
NOTIFY_MAX_SKEW = timedelta(minutes=5)
REFUND_RETRY_AFTER = timedelta(minutes=10)
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

# Celery: Redis in production; an on-disk broker keeps the embedded demo self-contained.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-done"),
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
