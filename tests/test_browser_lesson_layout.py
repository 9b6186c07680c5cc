"""The lesson pages on a 390x844 phone, in Chromium, asserted by bounding boxes (issue 12, "Screens"):
no sideways scrolling, every chart's plot area at least 240 px wide (charts stack in one column,
legends and colour bars go under the plot), no chart title running past its chart's edge (Plotly
never wraps a title: it is cut there), and the same browser-tab icon as the race page's. One server,
one browser; screenshots of the first screen in artifacts/screenshots/phone-*.png."""

from __future__ import annotations

import pytest

from tests.browser_support import screenshot, wait_for_charts, wait_idle
from ui.navigation import APP_ICON

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MIN_PLOT = 240  # px: a plot area narrower than this on a phone hides its data
# the URL path of every lesson page (Streamlit drops the number prefix) and the network lab
PAGES = [
    "Hyperparameter_sweep",
    "Basins_of_attraction",
    "Inside_the_optimizer",
    "Exponentially_weighted_averages",
    "Batch_size_and_noise",
    "Learning_rate_schedules",
    "Second_order_methods",
    "Network_lab",
]
# per chart: its box, its SVG's box, its plot areas' widths, and each title's text and box
LAYOUT = """() => {
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).map(c => ({
        svg: box(c.querySelector('.main-svg')),
        areas: Array.from(c.querySelectorAll('.main-svg .nsewdrag')).map(a => a.getBoundingClientRect().width),
        titles: Array.from(c.querySelectorAll('.gtitle')).map(t => [t.textContent, box(t)]),
    }));
    const icon = document.querySelector("link[rel='shortcut icon']");
    return {charts, scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
            icon: icon ? decodeURIComponent(icon.getAttribute('href')) : ''};
}"""


@pytest.fixture(scope="module")
def phone(browser_page):
    """A page in a 390x844 browser context of the module's browser."""
    context = browser_page.context.browser.new_context(viewport=PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def settled_layout(page, limit_s: int = 60) -> dict:
    """The layout once two readings a second apart agree (a chart is drawn at a first width and
    resized to its column's a moment later)."""
    before = page.evaluate(LAYOUT)
    for _ in range(limit_s):
        page.wait_for_timeout(1000)
        now = page.evaluate(LAYOUT)
        if now == before:
            return now
        before = now
    return before


@pytest.mark.parametrize("path", PAGES)
def test_a_lesson_page_fits_a_phone(server, phone, path):
    phone.goto(f"{server}/{path}")
    wait_for_charts(phone, 1)
    wait_idle(phone)
    layout = settled_layout(phone)
    screenshot(phone, f"phone-{path}")
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, f"sideways scrolling: {layout['scrollWidth']} px"
    assert layout["charts"], "no chart drawn"
    for chart in layout["charts"]:
        names = [text for text, _ in chart["titles"]]
        assert chart["areas"], f"no plot area in {names}"
        for width in chart["areas"]:
            assert width >= MIN_PLOT, f"{names}: plot area {width:.0f} px wide"
        left, _, right, _ = chart["svg"]
        for text, (t_left, _, t_right, _) in chart["titles"]:
            assert left - 1 <= t_left and t_right <= right + 1, f"title cut: {text!r} {t_left:.0f}..{t_right:.0f}"
    assert APP_ICON in layout["icon"], f"tab icon {layout['icon']!r}"  # the race page's, not the page's own
