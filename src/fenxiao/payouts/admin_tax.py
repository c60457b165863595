"""Console pages for finance: 实名信息 (payees' identities, read-only, id numbers masked) and
个税月报 (the monthly tax report, on screen with masked id numbers, or as CSV / XLSX with them
in full)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.errors import DomainError
from fenxiao.payouts import report
from fenxiao.payouts.identity import id_number_masked
from fenxiao.payouts.models import PayoutIdentity, TaxReportMonth

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", report.report_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        report.report_xlsx,
    ),
}
# the report shows who was paid how much, with id numbers in the files
REPORT_PERMISSIONS = ("payouts.view_withdrawal", "payouts.view_payoutidentity")


@admin.register(PayoutIdentity)
class PayoutIdentityAdmin(ReadOnlyAdmin):
    """Entered once by the distributor before their first taxed withdrawal; not edited here."""

    list_display = ["user", "phone", "real_name", "id_number_display", "created_at"]
    list_select_related = ["user"]
    search_fields = ["real_name", "user__phone"]
    search_help_text = "按真实姓名或手机号搜索"
    list_per_page = 50
    fields = ["user", "real_name", "id_number_display", "created_at"]
    readonly_fields = fields

    @admin.display(description="手机号", ordering="user__phone")
    def phone(self, obj):
        return obj.user.phone or "—"

    @admin.display(description="身份证号")
    def id_number_display(self, obj):
        return id_number_masked(obj.id_number)


@admin.register(TaxReportMonth)
class TaxReportAdmin(ReadOnlyAdmin):
    """One page instead of a list: pick a month, see each distributor's row, download."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perms(REPORT_PERMISSIONS)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        default = f"{timezone.localtime():%Y-%m}"
        asked = request.GET.get("month") or default
        try:
            found = report.tax_report(month=report.parse_month(asked))
        except DomainError as exc:
            self.message_user(request, f"{exc.message}（已显示本月）", messages.ERROR)
            asked = default
            found = report.tax_report(month=report.parse_month(default))
        download = request.GET.get("format")
        if download in DOWNLOADS:
            content_type, render = DOWNLOADS[download]
            response = HttpResponse(render(found), content_type=content_type)
            name = f"tax-report-{found.month}.{download}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"个税月报 {found.month}",
            "opts": self.model._meta,
            "report": found,
            "month": found.month,
            "header": report.HEADER,
            "rows": [row.cells(masked=True) for row in found.rows],
            "totals": found.totals.cells(),
        }
        return TemplateResponse(request, "payouts/tax_report.html", context)
