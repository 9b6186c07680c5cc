"""End-to-end: every lesson page opens in headless Chromium, draws its charts, and gets a screenshot
(artifacts/screenshots/page-*.png — look at them)."""

from __future__ import annotations

import pytest

from tests.browser_support import screenshot, wait_for_charts, wait_idle

pytestmark = pytest.mark.browser

# URL path of each page (Streamlit drops the number prefix) and how many charts it draws at least.
PAGES = [
    ("Hyperparameter_sweep", 1),
    ("Basins_of_attraction", 2),
    ("Inside_the_optimizer", 4),
    ("Exponentially_weighted_averages", 3),
    ("Batch_size_and_noise", 5),
    ("Learning_rate_schedules", 4),
    ("Second_order_methods", 5),
]


@pytest.mark.parametrize(("path", "charts"), PAGES)
def test_lesson_page_draws_its_charts(server, browser_page, path, charts):
    page = browser_page
    page.goto(f"{server}/{path}")
    wait_for_charts(page, charts)
    wait_idle(page)
    page.wait_for_timeout(500)
    assert not page.get_by_test_id("stException").count()
    drawn = page.eval_on_selector_all('[data-testid="stPlotlyChart"] .main-svg', "els => els.length")
    assert drawn >= charts
    screenshot(page, f"page-{path}")


def test_gallery_page_shows_the_presets(server, browser_page):
    page = browser_page
    page.goto(f"{server}/Gallery")
    page.wait_for_selector("text=Zig-zag in a ravine")
    page.wait_for_function("() => document.querySelectorAll('img').length >= 10", timeout=60_000)
    wait_idle(page)
    screenshot(page, "page-Gallery")
