"""End-to-end: the Network lab opens in headless Chromium with every chart drawn, and its step
slider redraws the fitted curves at an earlier step (a fragment rerun, nothing recomputed).
Screenshot: artifacts/screenshots/page-Network_lab.png."""

from __future__ import annotations

import pytest

from tests.browser_support import PLOTLY_CHART, screenshot, wait_for_charts, wait_idle
from tests.test_browser_pages import CHART_SUMMARY, assert_clean_page, settled_charts

pytestmark = pytest.mark.browser

EXPECTED = [
    ("Fitted curves at step 500", {"lines", "markers"}),
    ("Train loss on the plane", {"lines", "markers"}),
    ("Test loss on the plane", {"lines", "markers"}),
]
PICTURES = """(sel) => Array.from(document.querySelectorAll(sel)).map(c =>
    Array.from(c.querySelectorAll('.layer-subplot .imagelayer image')).filter(i => {
        const b = i.getBoundingClientRect();
        return (i.getAttribute('href') || '').startsWith('data:image/png') && b.width > 50 && b.height > 50;
    }).length)"""
LINE = ("Loss on the line", {"lines"})  # in the "Between two solutions" tab, drawn when opened


def test_network_lab_draws_its_charts_and_follows_the_step_slider(server, browser_page):
    page = browser_page
    page.goto(f"{server}/Network_lab")
    wait_for_charts(page, len(EXPECTED), timeout=180_000)  # three charts (other views: closed tabs); slow when crowded
    wait_idle(page)
    drawn = settled_charts(page)
    screenshot(page, "page-Network_lab")
    assert_clean_page(page, "Network lab")
    assert len(drawn) == len(EXPECTED), [c["title"] for c in drawn]
    for chart, (word, kinds) in zip(drawn, EXPECTED, strict=True):
        assert word in chart["title"], (word, chart["title"])
        for width, height in chart["areas"]:
            assert width > 50 and height > 50, (word, chart["areas"])
        for kind in kinds:
            assert chart[kind] > 0, (word, kind, chart)
        assert chart["contour"] == 0, (word, chart)  # surfaces are server-drawn pictures, no JS contouring
    # the plane: train and test as two charts, each a server-drawn picture under its paths (a subplot's
    # layout image sits in that subplot's own image layer)
    pictures = page.evaluate(PICTURES, PLOTLY_CHART)
    assert [len(c["areas"]) for c in drawn[1:]] == [1, 1] and pictures[1:] == [1, 1], (drawn, pictures)
    # one stop back on the step slider: the fit is redrawn at the previous recorded step
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowLeft")
    page.wait_for_function(
        "(sel) => Array.from(document.querySelectorAll(sel + ' .gtitle'))"
        ".some(t => t.textContent.includes('at step 475'))",
        arg=PLOTLY_CHART,
        timeout=90_000,
    )
    wait_idle(page)
    after = page.evaluate(CHART_SUMMARY, PLOTLY_CHART)
    assert "Fitted curves at step 475" in after[0]["title"] and after[0]["lines"] >= 3
    assert_clean_page(page, "Network lab")
    # the views below are tabs drawn only when opened: the line between two solutions replaces the plane
    page.get_by_role("tab", name="Between two solutions").click()
    page.wait_for_function(
        "(sel) => Array.from(document.querySelectorAll(sel + ' .gtitle'))"
        ".some(t => t.textContent.includes('Loss on the line'))",
        arg=PLOTLY_CHART,
        timeout=90_000,
    )
    wait_idle(page)
    now = settled_charts(page)
    assert [c["title"].split(" ")[0] for c in now] == ["Fitted", "Loss"], [c["title"] for c in now]
    assert LINE[0] in now[1]["title"] and now[1]["lines"] >= 2
    assert_clean_page(page, "Network lab")
