"""The report pages in Debian's chromium: the charts are drawn (pixels on their canvases) from
our own static files, with nothing asked of any other origin; screenshots at 1280×800."""

from pathlib import Path

import pytest

from tests.console.conftest import STAFF_PASSWORD
from tests.console.test_browser import pytestmark  # noqa: F401 (browser, live server)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console" / "reports"
STORY_RANGE = "from=2026-03-09&to=2026-03-10"

# coloured pixels of each chart's canvas: ECharts draws on a transparent canvas, so any pixel
# with some opacity is a line, a bar, an axis or a label
INKED_PIXELS = """el => {
  const canvas = el.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
  return {inked, total: canvas.width * canvas.height};
}"""
SERIES_NAMES = """el => echarts.getInstanceByDom(el).getOption().series.map(s => s.name)"""


def _log_in(page) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", "13700000001")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content")


def _charts_drawn(page, count: int) -> dict:
    page.wait_for_function(
        f"document.querySelectorAll('[data-chart][data-drawn]').length === {count}"
    )
    drawn = {}
    for element in page.query_selector_all("[data-chart]"):
        name = element.get_attribute("data-chart")
        drawn[name] = element.evaluate(INKED_PIXELS)
        drawn[name]["series"] = element.evaluate(SERIES_NAMES)
    return drawn


@pytest.fixture
def requests_seen(page):
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_dashboard_draws_its_charts_from_local_files(
    page, requests_seen, live_server, make_staff, story
):
    make_staff("owner")
    page.set_viewport_size({"width": 1280, "height": 800})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _log_in(page)

    page.goto(f"/admin/reports/dashboard/?{STORY_RANGE}")
    drawn = _charts_drawn(page, 3)

    assert page.inner_text("#fig-paid .value") == "¥486.00"
    for name, found in drawn.items():
        # more than the axes: a blank chart inks well under 1% of its canvas
        assert found["inked"] > found["total"] * 0.01, (name, found)
    assert drawn["sales"]["series"] == ["支付金额", "退款金额", "净销售额"]
    assert drawn["people"]["series"] == ["支付订单数", "新增用户", "经分享链接新增"]
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))  # what 1280×800 shows first
    page.screenshot(path=str(ARTIFACTS / "dashboard-full.png"), full_page=True)
    # readable at 1280 px: nothing sticks out sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.click("#range-7")  # the preset: the last 7 days, empty here, still drawn
    _charts_drawn(page, 3)
    # the console's front page shows the same last 7 days, its charts drawn too
    page.goto("/admin/")
    assert set(_charts_drawn(page, 3)) == {"sales", "people", "commission"}
    page.screenshot(path=str(ARTIFACTS / "home-full.png"), full_page=True)
    page.goto(f"/admin/reports/distributioneffect/?{STORY_RANGE}")
    effect = _charts_drawn(page, 2)
    assert effect["funnel"]["inked"] > effect["funnel"]["total"] * 0.01
    page.screenshot(path=str(ARTIFACTS / "effect.png"), full_page=True)
    page.goto(f"/admin/reports/ranking/?{STORY_RANGE}")
    page.click("#top-sales a.drill-distributor")
    page.wait_for_selector("#distributor_form")
    page.goto(f"/admin/reports/ranking/?{STORY_RANGE}")
    page.screenshot(path=str(ARTIFACTS / "rankings.png"), full_page=True)

    origin = live_server.url
    elsewhere = [url for url in requests_seen if not url.startswith((origin, "data:", "blob:"))]
    assert elsewhere == []
    assert any(url.endswith("/static/reports/echarts.min.js") for url in requests_seen)
