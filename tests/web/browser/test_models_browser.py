"""The models page in headless Chromium: the scenario form answered by the API without a reload, offline."""

from __future__ import annotations

import re

import pytest

from tests.web.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.realdata


def test_scenario_form_answers_without_reload(page, page_server) -> None:
    page.goto(f"{page_server}/en/models")
    assert page.locator("#chart-distance").count() == 1
    page.evaluate("() => { window.__notReloaded = true; }")  # gone if the form navigated
    page.fill("#origin", "MEX")
    page.fill("#gni_growth", "0.2")
    page.fill("#years", "10")
    with page.expect_response(re.compile(r"/api/v1/scenario\?origin=MEX&gni_growth=0\.2&years=10")) as answer:
        page.click("#scenario-form button[type=submit]")
    assert answer.value.status == 200
    total = page.locator("#scenario-total")
    total.wait_for()
    assert "Mexico" in total.inner_text()
    assert page.locator("#scenario-table tbody tr").count() == 10
    assert page.locator("#scenario-table tbody tr").first.locator("th").inner_text() == "United States of America"
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.url.endswith("/en/models")
    page.screenshot(path=ARTIFACTS / "models-scenario.png", full_page=True)
    page.watch.check()


def test_scenario_form_in_arabic_writes_numbers_and_names_of_the_page(page, page_server) -> None:
    page.goto(f"{page_server}/ar/models")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("#scenario-form button[type=submit]")  # the defaults: ETH, +30 %, 10 years
    page.locator("#scenario-total").wait_for()
    text = page.locator("#scenario-total").inner_text()
    assert "إثيوبيا" in text and re.search(r"\d", text)
    page.screenshot(path=ARTIFACTS / "models-scenario-ar.png", full_page=True)
    page.watch.check()
