from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from fenxiao.accounts.models import Address, User


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-id"]
    list_display = ["id", "phone", "nickname", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["phone", "nickname", "openid"]
    readonly_fields = ["date_joined", "last_login", "openid", "unionid"]
    fieldsets = [
        (None, {"fields": ["phone", "password", "nickname", "avatar"]}),
        ("微信", {"fields": ["openid", "unionid"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("时间", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"fields": ["phone", "password1", "password2", "nickname"]})]
    filter_horizontal = ["groups"]
    inlines = [AddressInline]
