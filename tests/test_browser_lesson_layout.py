"""The lesson pages in Chromium at the sizes they are used at, asserted by bounding boxes (issue 12,
"Screens"). On a 390x844 phone: no sideways scrolling, every chart's plot area at least 240 px wide
(charts stack in one column, legends and colour bars go under the plot), no chart title running past
its chart's edge (Plotly never wraps a title: it is cut there), and the same browser-tab icon as the
race page's. On a tablet (800x900), a projector presenting (1280x720, ``present=1``) and a large screen
(1920x1080): no sideways scrolling, no legend over a plot area, no chart title cut, no formula wider than
its box; presenting, the main chart's plot area (and the page's step slider, where it has one) inside
the first screen. One server for the module, one browser context per size, the pages visited in turn;
screenshots of the first screen in artifacts/screenshots/{phone,lesson}-*.png."""

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
# the other sizes: (width, height, presenting)
SIZES = {"800x900": (800, 900, False), "1280x720-present": (1280, 720, True), "1920x1080": (1920, 1080, False)}
# per chart: its box, its SVG's box, its plot areas, legends and each title's text and box; the page's
# formulas (each one's own width and its box's), its sliders, and what the page scrolls sideways
LAYOUT = """() => {
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]')).map(c => ({
        svg: box(c.querySelector('.main-svg')),
        areas: Array.from(c.querySelectorAll('.main-svg .nsewdrag')).map(a => a.getBoundingClientRect().width),
        boxes: Array.from(c.querySelectorAll('.main-svg .nsewdrag')).map(box),
        legends: Array.from(c.querySelectorAll('.legend .bg')).map(box),
        titles: Array.from(c.querySelectorAll('.gtitle')).map(t => [t.textContent, box(t)]),
    }));
    const formulas = Array.from(document.querySelectorAll('[data-testid="stMain"] .katex-display')).map(e => {
        return [e.textContent.slice(0, 40), e.scrollWidth, e.clientWidth];
    });
    const sliders = Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stSlider"]')).map(box);
    const icon = document.querySelector("link[rel='shortcut icon']");
    // Streamlit scrolls its own main container: what runs past it scrolls that sideways, not the document
    const main = document.querySelector('[data-testid="stMain"]');
    const scrollWidth = Math.max(document.scrollingElement.scrollWidth,
                                 main.scrollWidth - main.clientWidth + innerWidth);
    return {charts, formulas, sliders, scrollWidth,
            innerWidth: window.innerWidth, icon: icon ? decodeURIComponent(icon.getAttribute('href')) : ''};
}"""


@pytest.fixture(scope="module")
def contexts(browser_page):
    """A browser page per size (``"phone"`` and the ``SIZES``), each in its own context of the module's
    browser, made when first asked for and kept for the module's later tests."""
    pages: dict[str, object] = {}
    browser = browser_page.context.browser

    def page_for(name: str) -> object:
        if name not in pages:
            width, height = (PHONE["width"], PHONE["height"]) if name == "phone" else SIZES[name][:2]
            pages[name] = browser.new_context(viewport={"width": width, "height": height}).new_page()
            pages[name].set_default_timeout(60_000)
        return pages[name]

    try:
        yield page_for
    finally:
        for page in pages.values():
            page.context.close()


def settled_layout(page, limit_s: int = 60) -> dict:
    """The layout once two readings half a second apart agree (a chart is drawn at a first width and
    resized to its column's a moment later)."""
    before = page.evaluate(LAYOUT)
    for _ in range(2 * limit_s):
        page.wait_for_timeout(500)
        now = page.evaluate(LAYOUT)
        if now == before:
            return now
        before = now
    return before


def visit(page, url: str) -> dict:
    page.goto(url)
    wait_for_charts(page, 1)
    wait_idle(page)
    return settled_layout(page)


def overlap(a, b) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def title_cut(chart: dict) -> list[str]:
    """The titles of ``chart`` that run past its edges (cut there)."""
    left, _, right, _ = chart["svg"]
    return [
        f"{t!r} {b[0]:.0f}..{b[2]:.0f} in {left:.0f}..{right:.0f}"
        for t, b in chart["titles"]
        if b[0] < left - 1 or b[2] > right + 1
    ]


@pytest.mark.parametrize("path", PAGES)
def test_a_lesson_page_fits_a_phone(server, contexts, path):
    phone = contexts("phone")
    layout = visit(phone, f"{server}/{path}")
    screenshot(phone, f"phone-{path}")
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, f"sideways scrolling: {layout['scrollWidth']} px"
    assert layout["charts"], "no chart drawn"
    for chart in layout["charts"]:
        names = [text for text, _ in chart["titles"]]
        assert chart["areas"], f"no plot area in {names}"
        for width in chart["areas"]:
            assert width >= MIN_PLOT, f"{names}: plot area {width:.0f} px wide"
        assert not title_cut(chart), f"title cut: {title_cut(chart)}"
    assert APP_ICON in layout["icon"], f"tab icon {layout['icon']!r}"  # the race page's, not the page's own


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", PAGES)
def test_a_lesson_page_fits_a_tablet_a_projector_and_a_large_screen(server, contexts, size, path):
    _, height, presenting = SIZES[size]
    page = contexts(size)
    layout = visit(page, f"{server}/{path}" + ("?present=1" if presenting else ""))
    screenshot(page, f"lesson-{size}-{path}")
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, f"sideways scrolling: {layout['scrollWidth']} px"
    assert layout["charts"], "no chart drawn"
    for chart in layout["charts"]:
        names = [text for text, _ in chart["titles"]]
        assert not title_cut(chart), f"title cut: {title_cut(chart)}"
        for legend in chart["legends"]:
            assert not any(overlap(legend, a) for a in chart["boxes"]), (
                f"{names}: legend {legend} over {chart['boxes']}"
            )
    for text, need, has in layout["formulas"]:  # KaTeX's glyph boxes overhang a pixel or two
        assert need <= has + 3, f"formula {text!r} {need:.0f} px wide in a {has} px box"
    if presenting:  # the first screen holds the main chart's plot area and the step slider above it
        main = layout["charts"][0]
        parts = main["boxes"] + [s for s in layout["sliders"] if s[1] < main["svg"][1]]
        assert all(b[1] >= 0 and b[3] <= height + 1 for b in parts), f"below the first screen: {parts}"
