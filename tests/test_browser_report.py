"""The demo's HTML report in a real browser (headless Chromium)."""

import os

from conftest import SCREENSHOTS

from glassnet.cli import demo


def test_report_opens_without_console_errors_and_shows_every_neuron_and_link(browser, tmp_path):
    path = tmp_path / "report.html"
    demo.run(lang="en", report=str(path), print_fn=lambda *a: None)
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    svgs = page.locator("svg")
    assert svgs.count() >= 4
    first = svgs.nth(0)
    # the article's 1-2-1 network: 4 neurons, 2 + 2 links
    assert first.locator(".neuron").count() == 4
    assert first.locator(".link").count() == 4
    box = first.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    assert page.locator("text=δ_out").count() >= 1
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOTS, "report.png"), full_page=True)
    page.close()


def test_chinese_report_renders(browser, tmp_path):
    path = tmp_path / "report_zh.html"
    demo.run(lang="zh", report=str(path), print_fn=lambda *a: None)
    page = browser.new_page()
    page.goto(path.as_uri())
    assert "反向传播" in page.content()
    assert page.locator("svg .neuron").count() >= 4
    page.close()
