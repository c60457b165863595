"""Form fields and widgets of the console's product page that spare merchants typing JSON."""

from django import forms
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.urls import reverse
from django_prose_editor.widgets import AdminProseEditorWidget

from fenxiao.catalog.richtext import DESCRIPTION_EXTENSIONS


class ListTextWidget(forms.Widget):
    """One text input per line with 删除 buttons and an add button (static/catalog/list_text.js);
    posts every line under the same name. Without JavaScript the trailing empty input still
    takes one more line per save."""

    template_name = "catalog/widgets/list_text.html"

    def __init__(self, *, add_label: str, placeholder: str = "", attrs=None):
        super().__init__(attrs)
        self.add_label = add_label
        self.placeholder = placeholder

    def format_value(self, value):
        if not isinstance(value, list | tuple):
            return []
        return [str(item) for item in value]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lines = [*context["widget"]["value"], ""]
        context["widget"].update(lines=lines, add_label=self.add_label)
        context["widget"]["placeholder"] = self.placeholder
        return context

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        # every line removed posts nothing: that is an empty list, not "leave it alone"
        return False


class ListTextField(forms.Field):
    """A list of short texts, one per line, blank lines dropped."""

    widget = ListTextWidget

    def __init__(self, *, item_label: str, max_items: int, max_length: int, **kwargs):
        self.item_label, self.max_items, self.max_length = item_label, max_items, max_length
        kwargs.setdefault("widget", ListTextWidget(add_label=f"添加{item_label}"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = value.splitlines()
        return [str(item).strip() for item in value if str(item).strip()]

    def validate(self, value):
        label = self.item_label
        if self.required and not value:
            raise forms.ValidationError(f"请至少填写一条{label}")
        if len(value) > self.max_items:
            extra = len(value) - self.max_items
            raise forms.ValidationError(
                f"{label}最多 {self.max_items} 条，现在有 {len(value)} 条，请删去 {extra} 条"
            )
        for number, item in enumerate(value, start=1):
            if len(item) > self.max_length:
                raise forms.ValidationError(
                    f"第 {number} 条{label}有 {len(item)} 个字，每条最多 {self.max_length} 个字，"
                    "请缩短"
                )

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class StoredImageWidget(forms.Widget):
    """A picture already in our media: its path in a hidden input, shown as a thumbnail, so a
    chosen file survives a form that comes back with errors."""

    template_name = "catalog/widgets/stored_image.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        path = context["widget"]["value"]
        context["widget"]["url"] = default_storage.url(path) if path else ""
        return context


class DescriptionEditor(AdminProseEditorWidget):
    """django-prose-editor with our upload button: pictures go to our media, not a URL box."""

    def __init__(self, attrs=None):
        config = {"extensions": DESCRIPTION_EXTENSIONS}
        super().__init__(attrs=attrs, config=config, preset="configurable")

    def get_config(self):
        config = super().get_config()
        upload = {"uploadUrl": reverse("admin:catalog_product_upload_image")}
        config["extensions"] = config["extensions"] | {"ImageUpload": upload}
        config["js_modules"] = [*config["js_modules"], static("catalog/prose_image_upload.js")]
        return config
