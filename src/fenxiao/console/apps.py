from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django admin, with fenxiao's site as the default one."""

    default = False
    default_site = "fenxiao.console.site.ConsoleSite"


class ConsoleConfig(AppConfig):
    default = True
    name = "fenxiao.console"
    verbose_name = "商家后台"
