"""End-to-end: every lesson page opens in headless Chromium under its own heading, with no traceback and no
error or warning box, and draws each of its charts: a plot area of real size holding drawn content of the
kind the chart is made of (filled contour bands, heatmap images, lines with a path, markers, bars).
Screenshots go to artifacts/screenshots/page-*.png (look at them).

The waits only wait for the page to settle (at least one chart, no running status, the charts' drawn
content unchanged between two looks); every property of the charts is asserted afterwards."""

from __future__ import annotations

import time

import pytest

from scenes.presets import PRESETS
from tests.browser_support import PLOTLY_CHART, screenshot, wait_for_charts, wait_idle

pytestmark = pytest.mark.browser

# What one chart holds, read from its SVG: how many Plotly plot areas and their sizes, and per kind of
# trace how many drawn elements (a path counts only when its ``d`` attribute draws something).
CHART_SUMMARY = """(sel) => Array.from(document.querySelectorAll(sel)).map(c => {
    const drawn = els => Array.from(els).filter(p => /[LCQAHV]/i.test(p.getAttribute('d') || '')).length;
    const size = e => { const b = e.getBoundingClientRect(); return [b.width, b.height]; };
    return {
        title: Array.from(c.querySelectorAll('.gtitle')).map(e => e.textContent).join(' '),
        areas: Array.from(c.querySelectorAll('.nsewdrag')).map(size),
        contour: drawn(c.querySelectorAll('.contourlayer .contour path')),
        image: Array.from(c.querySelectorAll('.imagelayer image'))
            .filter(i => (i.getAttribute('href') || i.getAttribute('xlink:href') || '').startsWith('data:image')
                && size(i)[0] > 50 && size(i)[1] > 50).length,
        heatmap: Array.from(c.querySelectorAll('.heatmaplayer image'))
            .filter(i => (i.getAttribute('href') || i.getAttribute('xlink:href') || '').startsWith('data:image')
                && size(i)[0] > 0 && size(i)[1] > 0).length,
        lines: drawn(c.querySelectorAll('.scatterlayer .trace path.js-line')),
        markers: drawn(c.querySelectorAll('.scatterlayer .trace path.point')),
        bars: drawn(c.querySelectorAll('.barlayer .trace path')),
    };
})"""

# URL path of each page (Streamlit drops the number prefix), its heading, and its charts in page order:
# a word of the chart's title and the kinds of drawn content it must hold.
PAGES = [
    ("Hyperparameter_sweep", "Hyperparameter sweep", [("final loss", {"heatmap", "markers"})]),
    (
        "Basins_of_attraction",
        "Basins of attraction",
        [  # one map per optimizer (side by side, or stacked on a phone), then the shares
            *[(name, {"heatmap", "markers"}) for name in ("SGD", "Momentum", "Adam")],
            ("Share of runs per basin", {"bars"}),
        ],
    ),
    (
        "Inside_the_optimizer",
        "Inside the optimizer",
        [
            ("step 10 of 100", {"image", "lines", "markers"}),
            ("gradient and state", {"lines"}),
            ("Bias correction", {"lines"}),
            ("Effective step size", {"lines"}),
        ],
    ),
    (
        "Exponentially_weighted_averages",
        "Exponentially weighted averages",
        [("Daily temperature", {"lines", "markers"}), ("first 60 days", {"lines", "markers"}), ("Weights", {"lines"})],
    ),
    (
        "Batch_size_and_noise",
        "Batch size and gradient noise",
        [
            ("one seed per batch size", {"image", "lines"}),
            ("median and 10–90% band", {"lines"}),
            ("Gradient noise spread", {"lines", "markers"}),
            ("Where noisy SGD ends", {"bars"}),
            ("Sharp vs flat", {"image", "markers"}),
        ],
    ),
    (
        "Learning_rate_schedules",
        "Learning-rate schedules",
        [
            ("Learning rate by update", {"lines"}),
            ("one seed per schedule", {"image", "lines"}),
            ("Distance to the nearest minimum", {"lines"}),
            ("Loss", {"lines"}),
        ],
    ),
    (
        "Second_order_methods",
        "Second-order methods",
        [
            ("every method from one start", {"image", "lines"}),
            ("Distance to the nearest minimum", {"lines"}),
            ("Cost of one step", {"bars"}),
            ("Evaluations to reach", {"bars"}),
            ("Saddle", {"image", "lines"}),
        ],
    ),
]


def settled_charts(page, timeout: float = 60.0) -> list[dict]:
    """The charts' summaries once two looks half a second apart agree (the page stopped drawing)."""
    deadline = time.monotonic() + timeout
    last = page.evaluate(CHART_SUMMARY, PLOTLY_CHART)
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        now = page.evaluate(CHART_SUMMARY, PLOTLY_CHART)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the charts kept changing for {timeout} s: {last}")


def assert_clean_page(page, heading: str) -> None:
    """The page's own heading, no traceback, no error or warning box."""
    assert page.locator("h1").all_inner_texts() == [heading]
    assert page.get_by_test_id("stException").count() == 0
    boxes = page.eval_on_selector_all(
        '[data-testid="stAlertContentError"], [data-testid="stAlertContentWarning"]', "els => els.map(e => e.innerText)"
    )
    assert boxes == []


@pytest.mark.parametrize(("path", "heading", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_lesson_page_draws_its_charts(server, browser_page, path, heading, expected):
    page = browser_page
    page.goto(f"{server}/{path}")
    wait_for_charts(page, 1)
    wait_idle(page)
    drawn = settled_charts(page)
    screenshot(page, f"page-{path}")
    assert_clean_page(page, heading)
    assert len(drawn) == len(expected), [c["title"] for c in drawn]
    for chart, (word, kinds) in zip(drawn, expected, strict=True):
        assert word in chart["title"], (word, chart["title"])
        assert chart["areas"], f"{word}: no plot area"
        for width, height in chart["areas"]:
            assert width > 50 and height > 50, (word, chart["areas"])
        for kind in kinds:
            assert chart[kind] > 0, (word, kind, chart)
        if "image" in kinds:  # the filled contour, drawn on the server: a picture, no contouring in the browser
            assert chart["contour"] == 0, (word, chart)


def test_gallery_page_shows_the_presets(server, browser_page):
    page = browser_page
    page.goto(f"{server}/Gallery")
    # the heading, not the sidebar's link to the lesson of the same name (hidden while the nav is folded)
    page.locator("h3", has_text="Zig-zag in a ravine").first.wait_for()
    wait_idle(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stImage\"] img')).every(i => i.complete)",
        timeout=60_000,
    )
    screenshot(page, "page-Gallery")
    assert_clean_page(page, "Gallery of scenes")
    headings = page.locator("h3").all_inner_texts()
    for preset in PRESETS:
        assert any(preset.title in h for h in headings), (preset.title, headings)
    # one thumbnail per preset, each decoded (a broken image has no natural size) and shown at a real size
    thumbs = page.eval_on_selector_all(
        '[data-testid="stImage"] img',
        "els => els.map(i => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])",
    )
    assert len(thumbs) == len(PRESETS)
    for natural_w, natural_h, shown_w in thumbs:
        assert natural_w > 0 and natural_h > 0 and shown_w > 50
    links = page.get_by_role("link", name="Open in the race")
    assert links.count() == len(PRESETS)


# the sidebar's right edge (left of the window when collapsed) and the download buttons on the page
SIDEBAR_AND_DOWNLOADS = """() => {
    const s = document.querySelector('[data-testid="stSidebar"]');
    return {right: s ? s.getBoundingClientRect().right : 0,
            downloads: document.querySelectorAll('[data-testid="stDownloadButton"]').length};
}"""


def test_present_1_on_a_lesson_page_survives_the_navigation(server, browser_page):
    """A projector (1280x720): a lesson page opened with present=1 has its sidebar collapsed and no
    download button; so has the page reached through the navigation (in the top bar while presenting)."""
    context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server}/Exponentially_weighted_averages?present=1")
        wait_for_charts(page, 1)
        wait_idle(page)
        first = page.evaluate(SIDEBAR_AND_DOWNLOADS)
        screenshot(page, "present-lesson-1280x720")
        assert first["right"] <= 1 and first["downloads"] == 0, first
        page.get_by_test_id("stTopNavSection").filter(has_text="Lessons").click()
        page.locator('a[href$="/Learning_rate_schedules"]').click()  # in the section's menu
        page.locator("h1", has_text="Learning-rate schedules").wait_for()
        wait_for_charts(page, 1)
        wait_idle(page)
        after = page.evaluate(SIDEBAR_AND_DOWNLOADS)
        screenshot(page, "present-lesson-after-navigation-1280x720")
        assert after["right"] <= 1 and after["downloads"] == 0, after
        assert "present=1" in page.url
    finally:
        context.close()
