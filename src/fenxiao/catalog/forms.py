"""Forms of the console's product page: selling points as lines, specs as "颜色:黑色;尺码:M",
the rich-text detail, SKU rows with stock adjustments, pictures stored as soon as chosen."""

from django import forms
from django_prose_editor.fields import ProseEditorFormField

from fenxiao.catalog import services
from fenxiao.catalog.models import Product, ProductImage, Sku
from fenxiao.catalog.richtext import DESCRIPTION_EXTENSIONS, description_clean
from fenxiao.catalog.services.stock import REASON_MAX, STOCK_MAX
from fenxiao.catalog.widgets import (
    DescriptionEditor,
    ListTextField,
    ListTextWidget,
    StoredImageWidget,
)
from fenxiao.errors import DomainError

SELLING_POINTS_MAX = 20  # as the staff API allows
SELLING_POINT_LENGTH = 200
SPEC_NAME_LENGTH = 20
SPEC_VALUE_LENGTH = 40
SPECS_EXAMPLE = "颜色:黑色;尺码:M"


def specs_text(specs: dict) -> str:
    """{"颜色": "黑色", "尺码": "M"} → "颜色:黑色;尺码:M"."""
    return ";".join(f"{name}:{value}" for name, value in specs.items())


def specs_parse(text: str) -> dict[str, str]:
    """The reverse of `specs_text`; full-width colons and semicolons are accepted."""
    specs: dict[str, str] = {}
    if text.strip().startswith(("{", "[", '"')):
        raise forms.ValidationError(f"规格不用 JSON，请写成 规格名:规格值，如 {SPECS_EXAMPLE}")
    for part in text.replace("；", ";").replace("：", ":").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        name, colon, value = (s.strip() for s in part.partition(":"))
        if not colon:
            raise forms.ValidationError(
                f"“{part.strip()}”缺少冒号：请写成 规格名:规格值，如 颜色:黑色"
            )
        if not name or not value:
            raise forms.ValidationError(f"规格名和规格值都要填写，如 {SPECS_EXAMPLE}")
        if name in specs:
            raise forms.ValidationError(f"规格名“{name}”重复了，每个规格名只能出现一次")
        if len(name) > SPEC_NAME_LENGTH:
            raise forms.ValidationError(f"规格名“{name}”太长，最多 {SPEC_NAME_LENGTH} 个字")
        if len(value) > SPEC_VALUE_LENGTH:
            raise forms.ValidationError(f"规格值“{value}”太长，最多 {SPEC_VALUE_LENGTH} 个字")
        specs[name] = value
    return specs


class SpecsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "sku-specs", "size": 18}))
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return specs_text(value) if isinstance(value, dict) else value

    def to_python(self, value):
        return specs_parse(super().to_python(value) or "")


class ProductForm(forms.ModelForm):
    selling_points = ListTextField(
        label="卖点",
        required=False,
        item_label="卖点",
        max_items=SELLING_POINTS_MAX,
        max_length=SELLING_POINT_LENGTH,
        widget=ListTextWidget(add_label="添加卖点", placeholder="一条卖点，如：续航 14 天"),
        help_text=f"每行一条，最多 {SELLING_POINTS_MAX} 条，每条不超过 {SELLING_POINT_LENGTH} 个字",
    )
    description = ProseEditorFormField(
        label="详情",
        required=False,
        config={"extensions": DESCRIPTION_EXTENSIONS},
        sanitize=description_clean,
        widget=DescriptionEditor,
        help_text="可加标题、列表、表格和图片；点“上传图片”插入本地图片",
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "category",
            "status",
            "sort",
            "tagline",
            "selling_points",
            "description",
            "freight_template",
        ]
        error_messages = {"name": {"required": "请填写商品名称，如：纯棉短袖"}}


class SkuForm(forms.ModelForm):
    """A SKU row without a stock input: the form was read minutes ago and orders may have
    taken stock since, so the stock is shown read-only and changed by a +n / −n adjustment
    with a reason (a new SKU's number is its initial stock)."""

    specs = SpecsField(label="规格", help_text=f"如 {SPECS_EXAMPLE}；用上方规格生成器填写")
    stock_change = forms.IntegerField(
        label="库存增减",
        required=False,
        min_value=-STOCK_MAX,
        max_value=STOCK_MAX,
        help_text="如 +10 或 -3；新 SKU 填初始库存",
        widget=forms.NumberInput(attrs={"style": "width:6em"}),
    )
    stock_reason = forms.CharField(label="调整原因", required=False, max_length=REASON_MAX)

    class Meta:
        model = Sku
        fields = ["code", "specs", "price", "cost", "is_active"]
        error_messages = {
            "price": {"required": "请填写售价，如 59.90"},
            "cost": {"required": "请填写成本，不知道可填 0"},
        }

    def clean_price(self):
        price = self.cleaned_data.get("price")
        if price is not None and price <= 0:
            raise forms.ValidationError("售价须大于 0，如 59.90")
        return price

    def clean_cost(self):
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError("成本不能为负数，不知道可填 0")
        return cost

    def clean(self):
        data = super().clean()
        change = data.get("stock_change") or 0
        if self.instance.pk is None:
            if change < 0:
                self.add_error("stock_change", "新 SKU 的初始库存不能为负数")
            return data
        if change and not (data.get("stock_reason") or "").strip():
            self.add_error("stock_reason", "调整库存请填写原因")
        if change < 0 and self.instance.stock + change < 0:
            self.add_error("stock_change", f"库存不足：当前库存 {self.instance.stock}")
        return data


class SkuFormSet(forms.BaseInlineFormSet):
    """Sellable SKUs share the same spec names (the storefront's picker offers one choice per
    name) and differ in their values."""

    def clean(self):
        super().clean()
        sellable = [
            row.cleaned_data["specs"]
            for row in self.forms
            if row.is_valid() and row.cleaned_data.get("is_active") and "specs" in row.cleaned_data
        ]
        if self.instance.status == Product.Status.ON_SHELF and not sellable:
            raise forms.ValidationError(
                "上架的商品至少需要一个可售 SKU：请先生成 SKU 并勾选“可售”，或把状态改为草稿"
            )
        seen = set()
        for specs in sellable:
            if set(specs) != set(sellable[0]):
                names = " 和 ".join(sellable[0]) or "（无规格）"
                raise forms.ValidationError(
                    f"可售 SKU 的规格名须一致：第一行是 {names}，"
                    f"而 {specs_text(specs) or '（无规格）'} 不同；请用上方规格生成器重新生成"
                )
            key = frozenset(specs.items())
            if key in seen:
                raise forms.ValidationError(
                    f"规格 {specs_text(specs) or '（无规格）'} 出现了两次："
                    "每种规格组合只能有一个可售 SKU"
                )
            seen.add(key)


class ProductImageForm(forms.ModelForm):
    """A product picture: a chosen file is checked and stored at once, and from then on the row
    carries its path, so the picture survives a form that comes back with errors."""

    upload = forms.FileField(
        label="选择图片",
        required=False,
        help_text="JPEG、PNG、WEBP 或 GIF，不超过 5 MB",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    stored = forms.CharField(label="图片", required=False, widget=StoredImageWidget)

    class Meta:
        model = ProductImage
        fields = ["sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stored"].initial = self.instance.image.name

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            try:
                data["stored"] = services.image_upload_store(upload=upload)
            except DomainError as exc:
                self.add_error("upload", exc.message)
                return data
            # shown again (as a thumbnail with its path) if the page comes back with errors
            self.data = self.data.copy()
            self.data[self.add_prefix("stored")] = data["stored"]
        elif data.get("stored") and data["stored"] != self.fields["stored"].initial:
            try:
                services.image_path_check(data["stored"])
            except DomainError:
                self.add_error("upload", "图片已失效，请重新选择")
        elif self.has_changed():
            self.add_error("upload", "请选择图片")
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("stored"):
            self.instance.image = self.cleaned_data["stored"]
        return super().save(commit)
