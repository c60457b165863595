"""Base classes shared by the console pages of every app."""

import tempfile
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from fenxiao import exports
from fenxiao.exports import Export
from fenxiao.money import round_sum_to_fen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money_text(amount: Decimal | float | None) -> str:
    """An amount of yuan for a list column, grouped by thousands: 3,590.30, -3,590.30."""
    return f"{round_sum_to_fen(amount):,.2f}"  # SQLite sums come back as floats


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (payments, ledger, commissions, audit): view only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside another record's page (order lines, audit events): never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExportMixin:
    """导出 CSV / 导出 XLSX on a list: the rows it shows with its filters and search, streamed
    (fenxiao/exports.py). Set `export` to the app's Export."""

    export: Export
    change_list_template = "console/change_list_export.html"

    def get_urls(self):
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_export"
        view = self.admin_site.admin_view(self.export_view)
        return [path("export/<str:fmt>/", view, name=name), *super().get_urls()]

    def export_view(self, request, fmt: str):
        if fmt not in ("csv", "xlsx"):
            raise Http404("导出格式须为 csv 或 xlsx")
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            rows = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("筛选条件无效，请回到列表重新筛选后再导出")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.export.name}-{stamp}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_lines(self.export, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        out = tempfile.TemporaryFile()  # on disk, not in memory; gone when closed
        exports.write_xlsx(self.export, rows, out)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


class ActionsOnlyAdmin(admin.ModelAdmin):
    """Records staff change only through list actions (ship, approve, reject): their page is
    for reading, with no 保存 buttons, and their list is titled by what it lists."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": self.opts.verbose_name_plural, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": f"{self.opts.verbose_name}详情",
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)
