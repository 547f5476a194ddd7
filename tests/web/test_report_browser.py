"""The HTML report in a real browser: Debian's chromium driven by Playwright opens the file
`ladder report html` wrote (file://), with every request that is not the file itself or a
data: URL refused and failing the test; no console error; the headline figures read from the
page's text equal `ladder report summary --format json`'s; it fits a phone's 360 px and prints
on A4 with a page per section.

Never `playwright install`: the system's chromium or a skip (a failure under CI).
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.web.test_checkin_page_browser import PHONE, browser, chromium_path  # noqa: F401
from web.html_report.page import SECTIONS

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True), pytest.mark.slow]
UNTIL = "2026-06-01"


@pytest.fixture
def report(ladder_cli, tmp_path):
    seeded = ladder_cli("seed", "--people", "1100", "--seed", "5", "--as-of", "2026-06-30")
    assert seeded.exit_code == 0, seeded.output
    target = tmp_path / "report.html"
    result = ladder_cli("report", "html", "--until", UNTIL, "--lang", "fr", "-o", str(target))
    assert result.exit_code == 0, result.output
    summary = ladder_cli("report", "summary", "--until", UNTIL, "--format", "json")
    return target, {row["figure"]: row["value"] for row in json.loads(summary.stdout)}


def test_the_file_opens_alone_with_the_summarys_figures(browser, report, tmp_path):  # noqa: F811
    target, expected = report
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on(
        "request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url)
    )
    try:
        page.goto(target.as_uri())
        page.wait_for_load_state("load")
        figures = {}
        for item in page.locator("[data-figure]").all():
            text = item.locator(".value").inner_text()
            figures[item.get_attribute("data-figure")] = int(re.sub(r"\D", "", text))
        assert figures == expected
        assert expected["people"] >= 1000  # so the French thousands separator shows
        assert "\u202f" in page.locator('[data-figure="people"] .value').inner_text()
        for key in SECTIONS:
            assert page.locator(f"section#{key} h2").is_visible()
        assert page.locator("svg.chart").count() >= 3
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
        page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        if os.environ.get("LADDER_KEEP_SCREENSHOT"):
            page.screenshot(path=os.environ["LADDER_KEEP_SCREENSHOT"], full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages >= len(SECTIONS)
    finally:
        context.close()
    assert outside == []
    assert errors == []
