"""Console pages for finance: 个税月报 (month picker, masked table, CSV/XLSX downloads) and
实名信息 (read-only list, masked id numbers, search); refused to the service role."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fenxiao.accounts.services import staff_create
from fenxiao.payouts import services
from fenxiao.payouts.models import PayoutIdentity
from tests.payouts.flows import rich_distributor
from tests.payouts.test_tax_report import ID_A, two_months  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:payouts_taxreportmonth_changelist")
IDENTITIES = reverse("admin:payouts_payoutidentity_changelist")
MASKED_A = "1101**********002X"


def login(client, role: str, phone: str):
    staff = staff_create(phone=phone, password="console-pass-1", role=role)
    client.force_login(staff)
    return staff


@pytest.fixture
def finance(client):
    return login(client, "finance", "13700000003")


def test_finance_sees_the_months_report_with_masked_id_numbers(client, finance, two_months):  # noqa: F811
    _, b = two_months

    r = client.get(REPORT, {"month": "2026-11"})

    assert r.status_code == 200
    page = r.content.decode()
    assert "个税月报 2026-11" in page and 'value="2026-11"' in page
    assert MASKED_A in page and ID_A not in page
    totals = page.split('id="tax-report-totals"')[1].split("</tr>")[0]
    assert all(words in totals for words in ("合计", "550.00", "5.50", "25.00", "519.50"))
    assert f"用户 {b.pk}" in page.split('id="missing-identity"')[1]
    assert "?month=2026-11&amp;format=xlsx" in page


def test_finance_downloads_csv_and_xlsx_with_full_id_numbers(client, finance, two_months):  # noqa: F811
    r = client.get(REPORT, {"month": "2026-11", "format": "csv"})
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="tax-report-2026-11.csv"'
    assert r.content.startswith("\ufeff".encode()) and ID_A in r.content.decode("utf-8-sig")

    r = client.get(REPORT, {"month": "2026-11", "format": "xlsx"})
    assert r["Content-Disposition"] == 'attachment; filename="tax-report-2026-11.xlsx"'
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert (sheet["D2"].value, sheet["F4"].value) == (ID_A, 550)


def test_a_bad_month_shows_an_error_and_this_month(client, finance):
    r = client.get(REPORT, {"month": "2026-13"}, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert "月份须为 YYYY-MM 格式" in page and "本月没有已打款的提现" in page


def test_the_report_and_identities_appear_for_finance_on_the_console_home(client, finance):
    page = client.get(reverse("admin:index")).content.decode()
    assert REPORT in page and IDENTITIES in page


def test_the_service_role_is_refused_both_pages(client):
    login(client, "service", "13700000004")
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT, {"month": "2026-11", "format": "csv"}).status_code == 403
    assert client.get(IDENTITIES).status_code == 403


def test_identities_list_is_masked_searchable_and_read_only(client, finance):
    zhang = rich_distributor("10.00")
    li = rich_distributor("10.00")
    services.identity_set(user=zhang, real_name="张三", id_number=ID_A)
    services.identity_set(user=li, real_name="李四", id_number="110101199003070011")

    page = client.get(IDENTITIES).content.decode()
    assert MASKED_A in page and ID_A not in page and "李四" in page

    by_name = client.get(IDENTITIES, {"q": "张三"}).content.decode()
    assert "张三" in by_name and "李四" not in by_name
    by_phone = client.get(IDENTITIES, {"q": zhang.phone}).content.decode()
    assert "张三" in by_phone and "李四" not in by_phone

    detail = client.get(reverse("admin:payouts_payoutidentity_change", args=[zhang.pk]))
    assert detail.status_code == 200
    assert MASKED_A in detail.content.decode() and ID_A not in detail.content.decode()
    client.post(
        reverse("admin:payouts_payoutidentity_change", args=[zhang.pk]),
        {"real_name": "王五", "id_number": "110101199003070011"},
    )
    assert PayoutIdentity.objects.get(pk=zhang.pk).real_name == "张三"
    assert client.get(reverse("admin:payouts_payoutidentity_add")).status_code == 403
