"""Users (shoppers, distributors and staff), their addresses and API tokens."""

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from fenxiao.accounts.phones import PhoneField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone=None, password=None, **fields):
        user = self.model(phone=phone or None, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    phone = PhoneField("手机号", max_length=20, unique=True, null=True, blank=True)
    nickname = models.CharField("昵称", max_length=64, blank=True)
    avatar = models.URLField("头像", max_length=500, blank=True)
    openid = models.CharField("微信 openid", max_length=64, unique=True, null=True, blank=True)
    unionid = models.CharField("微信 unionid", max_length=64, null=True, blank=True, db_index=True)
    is_staff = models.BooleanField("员工", default=False)
    is_active = models.BooleanField("启用", default=True)
    date_joined = models.DateTimeField("注册时间", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.nickname or self.phone or f"用户{self.pk}"


class Address(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="addresses", verbose_name="用户"
    )
    name = models.CharField("收货人", max_length=32)
    phone = PhoneField("电话", max_length=20)
    province = models.CharField("省", max_length=32)
    city = models.CharField("市", max_length=32)
    district = models.CharField("区", max_length=32)
    detail = models.CharField("详细地址", max_length=200)
    is_default = models.BooleanField("默认", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "收货地址"
        verbose_name_plural = "收货地址"
        ordering = ["-is_default", "-id"]

    def __str__(self):
        return f"{self.name} {self.province}{self.city}{self.district}{self.detail}"


class Token(models.Model):
    """An API bearer token; only its SHA-256 is stored. It lapses at `expires_at` (pushed on as
    it is used, up to a maximum age) and with any change of its user's password (`auth_hash`)."""

    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="tokens", verbose_name="用户"
    )
    # the user's session auth hash when issued: an HMAC of the password hash, so a new password
    # (createstaff, the console, anywhere) ends every token issued before it
    auth_hash = models.CharField("认证摘要", max_length=64, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"

    def __str__(self):
        return f"token of {self.user_id}"


class LoginLockout(AccessAttempt):
    """Console log-in failures per (phone, IP), as django-axes counts them; shown in Chinese."""

    class Meta:
        proxy = True
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"


class LoginFailure(AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录"
