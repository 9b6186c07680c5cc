"""The race page's layout in Chromium at the sizes it is used at, asserted by bounding boxes (issue 12,
"Screens"): a tablet, a laptop, a projector in presentation mode and a large screen. Screenshots land in
artifacts/screenshots/layout-*.png."""

from __future__ import annotations

import pytest

from tests.browser_support import screenshot, wait_for_charts, wait_idle

pytestmark = pytest.mark.browser

# Per chart: its box, its plot areas, its title, its legend, and the animation's buttons and slider rail.
BOXES = """(sel) => Array.from(document.querySelectorAll(sel)).map(c => {
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const all = s => Array.from(c.querySelectorAll(s)).map(box);
    return {chart: box(c), areas: all('.nsewdrag'), titles: all('.gtitle'), legends: all('.legend .bg'),
            buttons: all('.updatemenu-button'), rails: all('.slider-rail-rect')};
})"""
FOUR_RUNS_TWO_STARTS = "v=1&run=sgd&run=momentum&run=rmsprop&run=adam&start=-1.5,2&start=0.5,2.5"

SIZES = [
    ((800, 900), "?" + FOUR_RUNS_TWO_STARTS),
    ((1280, 720), "?" + FOUR_RUNS_TWO_STARTS + "&present=1"),
    ((1920, 1080), "?" + FOUR_RUNS_TWO_STARTS + "&animate=1"),
]


def settled_boxes(page, limit_s: float = 60) -> list[dict]:
    """The charts' boxes once they stop moving (two readings a second apart agree): a chart is drawn
    at a first width and resized to its container's a moment later."""
    before = page.evaluate(BOXES, '[data-testid="stPlotlyChart"]')
    for _ in range(int(limit_s)):
        page.wait_for_timeout(1000)
        now = page.evaluate(BOXES, '[data-testid="stPlotlyChart"]')
        if now == before:
            return now
        before = now
    return before


def overlap(a, b) -> bool:
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


@pytest.mark.parametrize(("size", "query"), SIZES, ids=[f"{w}x{h}" for (w, h), _ in SIZES])
def test_race_layout_fits_the_screen(server, browser_page, size, query):
    context = browser_page.context.browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        check_layout(context.new_page(), server + "/" + query, size, "present=1" in query)
    finally:
        context.close()


def check_layout(page, url: str, size: tuple[int, int], presenting: bool) -> None:
    """Open ``url`` at ``size`` and assert the layout by bounding boxes."""
    page.goto(url)
    wait_for_charts(page, 3, timeout=180_000)
    wait_for_charts(page, 1, ".imagelayer image", timeout=180_000)
    wait_idle(page, timeout=180_000)
    charts = settled_boxes(page)
    screenshot(page, f"layout-{size[0]}x{size[1]}")
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), "sideways scrolling"
    contour = next(c for c in charts if c["areas"] and not c["buttons"])
    width = contour["areas"][0][2] - contour["areas"][0][0]
    assert width >= 300, f"contour plot area {width:.0f} px wide"
    for c in charts:
        for t in c["titles"]:  # a title is never cut by its chart's edge
            assert c["chart"][0] - 1 <= t[0] and t[2] <= c["chart"][2] + 1, (t, c["chart"])
        for legend in c["legends"]:  # no legend over a plot area
            assert not any(overlap(legend, a) for a in c["areas"]), (legend, c["areas"])
        for button in c["buttons"]:  # play/pause clear of the slider and of the plot
            assert not any(overlap(button, r) for r in c["rails"] + c["areas"]), (button, c["rails"])
    if presenting:  # the animation with its buttons and slider (on the first screen: not yet, see the README)
        (anim,) = [c for c in charts if c["buttons"]]
        assert anim["rails"], anim
