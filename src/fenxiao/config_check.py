"""`fenxiao check`: what a production deployment still lacks. Never prints secret values."""

from django.conf import settings
from django.core import checks

from fenxiao.distribution.poster import poster_font
from fenxiao.errors import DomainError
from fenxiao.payments.providers.wechat import missing_settings
from fenxiao.payouts.providers import config_problems as payout_problems


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
    problems += payout_problems()
    if not (settings.WECHAT_APPID and settings.WECHAT_SECRET):
        problems.append("FENXIAO_WECHAT_APPID / FENXIAO_WECHAT_SECRET not set (mini-program login)")
    try:
        poster_font()
    except DomainError:
        problems.append(
            "no Chinese font for posters: install fonts-noto-cjk or set FENXIAO_POSTER_FONT"
        )
    said = set()
    if not settings.HTTPS:
        problems.append(
            "FENXIAO_HTTPS is not set: serve over HTTPS (HSTS, redirect, Secure cookies)"
        )
        said |= {"security.W004", "security.W008", "security.W012", "security.W016"}
    if settings.SECRET_KEY.startswith("insecure-"):
        said.add("security.W009")
    # HSTS preload is a commitment an owner makes at hstspreload.org, not a default
    said.add("security.W021")
    problems += deploy_check_problems(said=said)
    return problems


def deploy_check_problems(*, said: set[str]) -> list[str]:
    """What `manage check --deploy` reports (security headers, cookies, keys), one line each,
    except what the lines above already say in fenxiao's words."""
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    return [
        f"{m.id}: {m.msg.splitlines()[0]}"
        for m in found
        if m.level >= checks.WARNING and m.id not in said
    ]
