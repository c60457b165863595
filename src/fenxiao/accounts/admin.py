"""Console pages of accounts: users (with ending their sessions) and console log-in lock-outs."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from fenxiao.accounts import services
from fenxiao.accounts.models import Address, LoginFailure, LoginLockout, User
from fenxiao.console.admin_base import ReadOnlyAdmin


def role_label(group) -> str:
    """A staff role's group by its Chinese name: 店主（owner）."""
    label = services.ROLE_LABELS.get(group.name)
    return f"{label}（{group.name}）" if label else group.name


PERMISSION_ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(permission) -> str:
    """Django names permissions in English ("Can add 订单"): 订单 · 订单 · 可新增."""
    action = PERMISSION_ACTIONS.get(permission.codename.split("_", 1)[0])
    model = permission.content_type.model_class()
    if action is None or model is None:
        return str(permission)
    return f"{model._meta.app_config.verbose_name} · {model._meta.verbose_name} · 可{action}"


class RoleFilter(admin.SimpleListFilter):
    title = "员工角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(role, f"{label}（{role}）") for role, label in services.ROLE_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-id"]
    list_display = ["number", "phone", "nickname", "is_staff", "is_active", "date_joined"]
    list_display_links = ["number", "phone"]
    list_filter = ["is_staff", "is_active", RoleFilter]
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
    actions = ["end_sessions"]

    @admin.display(description="用户编号", ordering="id")
    def number(self, obj):
        return obj.pk

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups":
            field.label_from_instance = role_label
        return field

    @admin.action(
        description="结束所选用户的全部登录（App 令牌与后台会话）", permissions=["change"]
    )
    def end_sessions(self, request, queryset):
        ended = services.user_sessions_end(user_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"已结束 {ended} 个登录令牌或会话", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # a disabled account, or staff who lost the console, keeps no way in
        if change and {"is_active", "is_staff"} & set(form.changed_data):
            if not obj.is_active or ("is_staff" in form.changed_data and not obj.is_staff):
                services.user_sessions_end(user_ids=[obj.pk])


class AxesRecordAdmin(ReadOnlyAdmin):
    """django-axes' records with Chinese column names (its own labels are English)."""

    search_fields = ["username", "ip_address"]

    @admin.display(description="手机号", ordering="username")
    def phone(self, obj):
        return obj.username

    @admin.display(description="IP 地址", ordering="ip_address")
    def ip(self, obj):
        return obj.ip_address

    @admin.display(description="时间", ordering="attempt_time")
    def at(self, obj):
        return obj.attempt_time

    @admin.display(description="浏览器")
    def browser(self, obj):
        return obj.user_agent[:60]


@admin.register(LoginLockout)
class LoginLockoutAdmin(AxesRecordAdmin):
    list_display = ["phone", "ip", "failures", "locked", "at", "browser"]
    fields = ["phone", "ip", "failures", "locked", "at", "browser"]
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="已锁定", boolean=True)
    def locked(self, obj):
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.delete_loginlockout")

    @admin.action(description="解除所选锁定", permissions=["unlock"])
    def unlock(self, request, queryset):
        unlocked, _ = queryset.delete()
        self.message_user(request, f"已解除 {unlocked} 条锁定", messages.SUCCESS)


@admin.register(LoginFailure)
class LoginFailureAdmin(AxesRecordAdmin):
    list_display = ["phone", "ip", "locked_out_shown", "at", "browser"]
    fields = list_display
    readonly_fields = fields

    @admin.display(description="导致锁定", boolean=True, ordering="locked_out")
    def locked_out_shown(self, obj):
        return obj.locked_out


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Staff roles: each group is a role (owner, operator, finance, service)."""

    list_display = ["name", "role"]

    @admin.display(description="角色")
    def role(self, obj):
        return services.ROLE_LABELS.get(obj.name, "—")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field
