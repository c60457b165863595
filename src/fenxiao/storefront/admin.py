"""Console pages of the storefront: the shop settings (one page, no list) and the banners."""

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from fenxiao.errors import DomainError
from fenxiao.storefront import selectors, services
from fenxiao.storefront.models import Banner, ShopSettings


class ImageCheckedForm(forms.ModelForm):
    """Uploads go through the same checks as product pictures (real image, allowed format,
    no decompression bomb) and are kept under storefront/."""

    image_fields: tuple[str, ...] = ()

    def _clean_image(self, name: str):
        value = self.cleaned_data.get(name)
        if not isinstance(value, UploadedFile):
            return value  # unchanged (the stored file) or cleared (False)
        value.seek(0)
        try:
            return services.shop_image_store(content=value.read(), filename=value.name or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class ShopSettingsForm(ImageCheckedForm):
    class Meta:
        model = ShopSettings
        fields = ["name", "logo", "theme_color", "share_text"]
        widgets = {"theme_color": forms.TextInput(attrs={"type": "color"})}

    def clean_logo(self):
        return self._clean_image("logo")

    def clean_theme_color(self):
        return (self.cleaned_data.get("theme_color") or "").upper()


class BannerForm(ImageCheckedForm):
    class Meta:
        model = Banner
        fields = [
            "image",
            "title",
            "product",
            "category",
            "sort",
            "is_active",
            "starts_at",
            "ends_at",
        ]

    def clean_image(self):
        return self._clean_image("image")


def _thumb(image, height: int = 48) -> str:
    if not image:
        return "-"
    return format_html('<img src="{}" style="height:{}px;border-radius:4px">', image.url, height)


@admin.register(ShopSettings)
class ShopSettingsAdmin(admin.ModelAdmin):
    """One page: the list opens the settings, which exist (with defaults) before any save."""

    form = ShopSettingsForm
    fields = ["name", "logo", "logo_preview", "theme_color", "share_text"]
    readonly_fields = ["logo_preview"]

    @admin.display(description="当前 logo")
    def logo_preview(self, obj):
        return _thumb(obj.logo if obj else None, 64)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)  # Django's refusal
        url = reverse("admin:storefront_shopsettings_change", args=[ShopSettings.SINGLETON_ID])
        return HttpResponseRedirect(url)

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) != str(ShopSettings.SINGLETON_ID):
            return None
        return selectors.shop_settings()

    def save_model(self, request, obj, form, change):
        services.shop_settings_save(shop=obj)


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    form = BannerForm
    list_display = ["thumb", "title", "target", "sort", "is_active", "starts_at", "ends_at"]
    list_display_links = ["thumb", "title"]
    list_editable = ["sort", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["product", "category__parent"]
    search_fields = ["title"]
    autocomplete_fields = ["product", "category"]
    fields = [
        "image",
        "preview",
        "title",
        "product",
        "category",
        "sort",
        "is_active",
        "starts_at",
        "ends_at",
    ]
    readonly_fields = ["preview"]

    @admin.display(description="图片")
    def thumb(self, obj):
        return _thumb(obj.image)

    @admin.display(description="预览")
    def preview(self, obj):
        return _thumb(obj.image if obj else None, 120)

    @admin.display(description="链接到")
    def target(self, obj):
        if obj.product_id:
            return f"商品：{obj.product.name}"
        if obj.category_id:
            return f"分类：{obj.category}"
        return "-"

    def save_model(self, request, obj, form, change):
        services.banner_save(banner=obj)
