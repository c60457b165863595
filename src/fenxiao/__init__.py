"""fenxiao: an open-source WeChat mini-program distribution shop."""

from fenxiao.celery import app as celery_app

__all__ = ["celery_app"]
