"""`fenxiao check`: what a production deployment still lacks. Never prints secret values."""

from django.conf import settings

from fenxiao.payments.providers.wechat import missing_settings


def production_problems() -> list[str]:
    problems = []
    if settings.SECRET_KEY.startswith("insecure-"):
        problems.append("FENXIAO_SECRET_KEY is not set (a built-in development key is in use)")
    if settings.DEBUG:
        problems.append("FENXIAO_DEBUG=1: turn debug off in production")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append("FENXIAO_DATABASE_URL points at SQLite; use postgres://... in production")
    if not settings.REDIS_URL:
        problems.append("FENXIAO_REDIS_URL is not set (cache, rate limits and Celery need Redis)")
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        problems.append("FENXIAO_CELERY_BROKER_URL: the on-disk demo broker is in use")
    if "sandbox" in settings.PAYMENT_PROVIDERS:
        problems.append("FENXIAO_PAYMENT_PROVIDERS includes the sandbox (anyone can 'pay')")
    if "wechat" not in settings.PAYMENT_PROVIDERS:
        problems.append("FENXIAO_PAYMENT_PROVIDERS does not include wechat")
    problems += [f"{name} is not set (WeChat Pay)" for name in missing_settings()]
    if not (settings.WECHAT_APPID and settings.WECHAT_SECRET):
        problems.append("FENXIAO_WECHAT_APPID / FENXIAO_WECHAT_SECRET not set (mini-program login)")
    return problems
