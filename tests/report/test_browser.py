"""The HTML report in a real headless Chromium (Debian's package, driven by chromedriver)."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curate.report.model import Report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,900",
)

if CHROMIUM is None or CHROMEDRIVER is None:
    if os.environ.get("CURATE_REQUIRE_BROWSER"):
        raise RuntimeError(
            "chromium and chromedriver are required: apt-get install chromium chromium-driver"
        )
    pytest.skip(
        "needs chromium and chromedriver (scripts/test.sh installs them)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def visit(driver: Any, page: Path) -> tuple[list[str], list[str]]:
    """Open ``page``; return its console errors and every URL it fetched other than itself."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(page.as_uri())
    driver.execute_script("return document.readyState")
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    fetched = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if message["params"].get("documentURL") == page.as_uri() and url != page.as_uri():
                fetched.append(url)
    return errors, fetched


def test_report_loads_without_console_errors_or_network(browser: Any, demo_html: Path) -> None:
    errors, fetched = visit(browser, demo_html)
    assert errors == []
    assert fetched == []
    assert browser.title.startswith("curate audit: FAIL")


def test_screenshot_shows_the_verdict_and_a_plot(
    browser: Any, demo_html: Path, tmp_path: Path
) -> None:
    from PIL import Image

    visit(browser, demo_html)
    verdict = browser.find_element("id", "verdict")
    plot = browser.find_element("css selector", "figure.plot svg")
    assert verdict.is_displayed() and plot.is_displayed()
    assert "Failed: sms_spam" in verdict.text
    height = browser.execute_script("return document.documentElement.scrollHeight")
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
        },
    )
    import base64

    png = base64.b64decode(shot["data"])
    (tmp_path / "report.png").write_bytes(png)
    image = Image.open(io.BytesIO(png)).convert("RGB")

    def crop(element: Any) -> Image.Image:
        r = element.rect
        return image.crop(
            (int(r["x"]), int(r["y"]), int(r["x"] + r["width"]), int(r["y"] + r["height"]))
        )

    red, green, blue = crop(verdict).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert red > green + 40 and red > blue + 40  # the red banner: the raw demo fails the gate
    bars = [px for px in crop(plot).getdata() if _near(px, (0x4C, 0x72, 0xB0))]
    assert len(bars) > 500  # the plot's bars are drawn in the palette's first colour


def test_verdict_names_the_deciding_checks_and_plots_have_axis_titles(
    browser: Any, demo_html: Path, demo_report: Report
) -> None:
    visit(browser, demo_html)
    blocking = [c.id for c in demo_report.checks if c.status.blocks]
    why = browser.find_elements("css selector", "#verdict #why li")
    assert [li.get_attribute("data-check") for li in why] == blocking
    cross = next(li.text for li in why if li.get_attribute("data-check") == "dedup.cross_split")
    assert "Rows outside train that copy a training row: 160; the gate fails above 0." in cross
    figures = browser.find_elements("css selector", "figure.plot")
    assert len(figures) >= 10
    for figure in figures:
        caption = figure.find_element("tag name", "figcaption").text
        for title in ("x-title", "y-title"):
            found = figure.find_elements("css selector", f'svg [id="{title}"]')
            assert found, (caption, title)
            text = browser.execute_script("return arguments[0].textContent.trim()", found[0])
            box = browser.execute_script("return arguments[0].getBBox().width", found[0])
            assert text and box > 0, (caption, title)


def test_a_findings_table_sorts_by_a_clicked_column(browser: Any, demo_html: Path) -> None:
    visit(browser, demo_html)
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    table = browser.find_element("css selector", "#check-dedup-exact table.findings")
    size = next(th for th in table.find_elements("tag name", "th") if th.text.startswith("size"))
    column = [th.text for th in table.find_elements("tag name", "th")].index(size.text)

    def sizes() -> list[int]:
        rows = table.find_elements("css selector", "tbody tr")
        return [int(r.find_elements("tag name", "td")[column].text) for r in rows]

    click = "arguments[0].click()"  # a screenshot above may leave the viewport resized
    browser.execute_script(click, size)
    assert sizes() == sorted(sizes())
    browser.execute_script(click, size)
    assert sizes() == sorted(sizes(), reverse=True)


def test_the_checks_catch_what_they_should(browser: Any, tmp_path: Path) -> None:
    """The console and network probes themselves: a blocked inline script and a remote image."""
    csp = (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        "<script>console.error('boom')</script>"
    )
    (tmp_path / "script.html").write_text(f"<!DOCTYPE html><html><head>{csp}</head></html>")
    errors, _ = visit(browser, tmp_path / "script.html")
    assert any("Content Security Policy" in e for e in errors)
    (tmp_path / "fetch.html").write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png">')
    _, fetched = visit(browser, tmp_path / "fetch.html")
    assert fetched == ["http://127.0.0.1:9/x.png"]


def _near(pixel: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, target, strict=True))
