"""A real headless Chromium logs in, reads the province view, drills into a library.

With ``HUB_SCREENSHOT=docs/dashboard.png`` it also redraws the README's
screenshot (otherwise the picture goes to a temporary directory, so a test
run never changes the checkout), drawn from a demo-like dataset built here:
persons delivered in stages whose weekly snapshots are written as the weeks
pass, the shipped first plan batch, and governed calls by two systems.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from hub.progress import metrics, plans
from population.models import Person
from tests.factories import make_person, make_system

from .helpers import make_member, write_persons

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("HUB_REQUIRE_BROWSER"),
        reason=f"Chromium not found at {CHROMIUM} (CI installs Debian's chromium package via .ci/run)",
    ),
]


def build_demo_history():
    """Deliver persons over the last weeks, writing each week's snapshot as it would have been."""
    today = timezone.localdate()
    stages = [
        (9, ("gat",), 60),
        (6, ("gat",), 150),
        (3, ("mzt",), 150),
        (1, ("rst", "jyt"), 150),
    ]
    for weeks_ago, departments, count in stages:
        write_persons(count, seed=2026, departments=departments)
        metrics.write_snapshots(today=today - datetime.timedelta(weeks=weeks_ago))
    write_persons(180, seed=2026, departments=("gat", "mzt", "rst", "jyt"))  # this week (snapshot by event)
    for defect in ({"name": "X1"}, {"marital_status": "99"}, {"education_level": "99"}):
        make_person(**defect)  # a few values the quality scan will flag
    people = list(Person.objects.values_list("id_number", flat=True)[:12])
    grants = [("population.person.name", "lookup", False)]
    for name, calls in (("一网通办平台", 12), ("省人社厅业务系统", 5)):
        _system, client = make_system(name=name, grants=grants)
        for number in people[:calls]:
            assert client.get(f"/api/v1/population/persons/{number}/").status_code == 200


def test_dashboard_in_a_real_browser(live_server, catalogue, tmp_path):
    screenshot = Path(os.environ.get("HUB_SCREENSHOT") or tmp_path / "dashboard.png")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    from hub.quality.loader import load_quality_rules
    from hub.quality.scans import scan

    plans.load()
    load_quality_rules()
    build_demo_history()
    scan("population.person")
    make_member(username="meeting", password="pw-Joint-2026")
    names = list(Person.objects.values_list("name", flat=True)[:20])

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{live_server.url}/dashboard/")
            assert "/dashboard/login/" in page.url
            page.fill("#id_username", "meeting")
            page.fill("#id_password", "pw-Joint-2026")
            page.click("#login-submit")
            page.wait_for_selector("svg.line-chart")

            assert page.locator("h2").first.inner_text() == "全省概览"
            lines = page.locator("svg.line-chart polyline.series")
            assert lines.count() == 4
            drawn = page.eval_on_selector_all(
                "svg.line-chart polyline.series", "els => els.map(e => e.getBBox().width)"
            )
            assert max(drawn) > 100  # the delivery and mount-rate lines span several weeks
            outside = page.eval_on_selector_all(
                "svg.line-chart",
                """svgs => svgs.flatMap(svg => [...svg.querySelectorAll('circle')].filter(c => {
                    const y = c.cy.baseVal.value, x = c.cx.baseVal.value, box = svg.viewBox.baseVal;
                    return y < 0 || y > box.height || x < 0 || x > box.width; }))""",
            )
            assert outside == []
            widths = "els => els.map(e => e.getBBox().width)"
            ranking = page.eval_on_selector_all("svg.ranking rect", widths)
            assert ranking and max(ranking) > 0
            bars = page.eval_on_selector_all("svg.bar rect.bar-fill", widths)
            assert any(width > 0 for width in bars)
            text = page.inner_text("body")
            assert "人口基础库" in text and "挂接率" in text
            assert not any(name in text for name in names)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)

            page.click("table#libraries >> text=人口基础库")
            page.wait_for_url("**/dashboard/libraries/population/**")
            page.wait_for_selector("table.items")
            assert page.locator("svg.line-chart polyline.series").count() == 4
            assert "population.person.marital_status" in page.inner_text("table.items")
            assert not any(name in page.inner_text("body") for name in names)
        finally:
            browser.close()
    assert screenshot.stat().st_size > 10_000
