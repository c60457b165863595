"""`fenxiao check` lists what a production deployment lacks, and never prints secrets."""

import pytest

from fenxiao.cli import main as fenxiao


def test_the_embedded_defaults_are_not_ready_for_production(settings, capsys):
    settings.SECRET_KEY = "insecure-dev-key"
    settings.PAYMENT_PROVIDERS = ["sandbox"]
    settings.REDIS_URL = ""  # as embedded, whatever this run's environment sets
    settings.CELERY_BROKER_URL = "filesystem://"
    assert fenxiao(["check"]) == 1
    out = capsys.readouterr().out
    for missing in ("FENXIAO_SECRET_KEY", "FENXIAO_REDIS_URL", "sandbox", "FENXIAO_WECHAT_MCHID"):
        assert missing in out


@pytest.mark.django_db
def test_a_complete_production_setup_passes_and_hides_its_secrets(settings, capsys, tmp_path):
    settings.SECRET_KEY = "s3cret-production-key-value-long-enough-for-djangos-own-check"
    settings.DEBUG = False
    engine = settings.DATABASES["default"]["ENGINE"]
    settings.DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.PAYMENT_PROVIDERS = ["wechat"]
    settings.PAYOUT_CHANNELS = ["wechat", "bank", "alipay"]
    for name in (
        "WECHAT_APPID",
        "WECHAT_SECRET",
        "WECHAT_MCHID",
        "WECHAT_CERT_SERIAL",
        "WECHAT_PRIVATE_KEY_PATH",
        "WECHAT_PUBLIC_KEY_PATH",
        "WECHAT_PUBLIC_KEY_ID",
    ):
        setattr(settings, name, f"value-of-{name.lower()}")
    settings.WECHAT_APIV3_KEY = "apiv3-key-that-must-not-leak-00"
    # what FENXIAO_HTTPS=1 sets (tests/accounts/test_security.py runs it for real)
    settings.HTTPS = settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = 31536000, True
    try:
        assert fenxiao(["check"]) == 0
    finally:
        settings.DATABASES["default"]["ENGINE"] = engine
    out = capsys.readouterr().out
    assert "ready for production" in out
    assert "s3cret" not in out and "apiv3-key" not in out


def test_a_missing_poster_font_is_listed(settings, capsys, tmp_path):
    settings.POSTER_FONT = str(tmp_path / "no-such-font.ttc")
    assert fenxiao(["check"]) == 1
    assert "FENXIAO_POSTER_FONT" in capsys.readouterr().out


def test_wechat_transfer_settings_are_named_only_when_the_channel_is_enabled(settings, capsys):
    settings.WECHAT_TRANSFER_POST_TYPE = ""
    settings.PAYOUT_CHANNELS = ["bank"]
    fenxiao(["check"])
    out = capsys.readouterr().out
    assert "FENXIAO_WECHAT_TRANSFER_POST_TYPE" not in out
    assert "FENXIAO_PAYOUT_CHANNELS" not in out

    settings.PAYOUT_CHANNELS = ["wechat", "sandbox"]
    assert fenxiao(["check"]) == 1
    out = capsys.readouterr().out
    assert "FENXIAO_WECHAT_TRANSFER_POST_TYPE is not set (WeChat transfers)" in out
    assert "FENXIAO_PAYOUT_CHANNELS includes the sandbox" in out
