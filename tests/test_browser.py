"""End-to-end: `streamlit run app.py` on a free port, driven by Debian's Chromium through Playwright.

Screenshots land in artifacts/screenshots/ (look at them).
"""

from __future__ import annotations

import time

import pytest

from scenes import Scene
from scenes.codec import scene_url
from scenes.presets import PRESETS
from tests.browser_support import chart_titles, legend_texts, screenshot, wait_for_charts, wait_idle

pytestmark = pytest.mark.browser


def test_race_page_renders_and_reacts_to_a_control(server, browser_page):
    page = browser_page
    t0 = time.perf_counter()
    page.goto(server + "/")
    wait_for_charts(page, 3, timeout=180_000)  # contour, loss, distance (the surface is off by default)
    wait_for_charts(page, 1, ".imagelayer image")  # the landscape image is drawn
    first_chart = time.perf_counter() - t0
    wait_idle(page)
    assert any("Himmelblau" in t for t in chart_titles(page))  # the first race (scenes.presets.WELCOME)
    assert {"SGD", "Momentum", "RMSprop", "Adam"} <= set(legend_texts(page))
    screenshot(page, "race-default")
    # change a control: the landscape
    page.get_by_test_id("stSelectbox").filter(has_text="Landscape").first.click()
    page.get_by_role("option", name="Rosenbrock").click()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.gtitle')).some(e => e.textContent.includes('Rosenbrock'))",
        timeout=60_000,
    )
    wait_idle(page)
    page.wait_for_timeout(500)
    screenshot(page, "race-rosenbrock")
    print(f"first charts drawn {first_chart:.2f} s after navigation")


def test_preset_link_reproduces_the_preset_and_presentation_mode(server, browser_page):
    page = browser_page
    preset = next(p for p in PRESETS if p.key == "ravine_momentum")
    page.goto(server + scene_url(preset.scene, base="/"))
    wait_for_charts(page, 3)
    wait_for_charts(page, 1, ".imagelayer image")
    wait_idle(page)
    titles = chart_titles(page)
    assert any(preset.scene.landscape_obj().title in t for t in titles)
    assert set(preset.scene.labels()) <= set(legend_texts(page))
    screenshot(page, "preset-ravine")
    page.get_by_text("Presentation mode").click()
    page.wait_for_function("() => document.querySelector('.updatemenu-container') !== null", timeout=60_000)
    wait_idle(page)
    assert "present=1" in page.url
    page.wait_for_timeout(500)
    screenshot(page, "preset-ravine-presentation")


def test_typed_formula_races_on_it(server, browser_page):
    page = browser_page
    page.goto(server + "/?v=1&ls=custom&f=x**2%2By**2&start=1.5,1.5")
    wait_for_charts(page, 3)
    wait_for_charts(page, 1, ".imagelayer image")
    wait_idle(page)
    box = page.get_by_role("textbox", name="f(x, y) =")
    box.fill("sin(x)*cos(y) + 0.1*(x**2 + y**2)")
    box.press("Control+Enter")
    page.wait_for_function("() => location.search.includes('sin')", timeout=60_000)
    wait_idle(page)
    wait_for_charts(page, 3)
    wait_for_charts(page, 1, ".imagelayer image")
    assert not page.get_by_test_id("stException").count()
    assert any("Custom" in t for t in chart_titles(page))
    screenshot(page, "race-custom-formula")


def test_a_click_on_the_contour_moves_the_start_there(server, browser_page):
    """A click anywhere in the plot picks the nearest point of the invisible click grid (20 x 20
    over the window; one of its markers is drawn, hover and click use them all) as start 1."""
    page = browser_page
    window = Scene().landscape_obj().window  # Rosenbrock's
    page.goto(server + scene_url(Scene(), base="/"))
    wait_for_charts(page, 3)
    wait_for_charts(page, 1, ".imagelayer image")
    wait_idle(page)
    assert page.locator('[data-testid="stPlotlyChart"]').first.locator(".scatterlayer .point").count() < 400
    target = (0.8, -0.3)  # a point of the window far from the start and from any grid point's exact place
    where = page.evaluate(
        """([x, y]) => { const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
            return [box.left + gd._fullLayout.xaxis.d2p(x), box.top + gd._fullLayout.yaxis.d2p(y)]; }""",
        list(target),
    )
    page.mouse.move(where[0] - 5, where[1] - 5)
    page.mouse.move(*where)  # Plotly picks the point under the pointer on hover; the click uses it
    page.wait_for_timeout(300)
    page.mouse.click(*where)
    box_x = page.get_by_label("start x", exact=True)
    page.wait_for_function(
        "(v) => { const e = document.querySelector('input[aria-label=\"start x\"]'); return e && e.value !== v; }",
        arg=box_x.input_value(),
        timeout=60_000,
    )
    wait_idle(page)
    start = (float(box_x.input_value()), float(page.get_by_label("start y", exact=True).input_value()))
    cell = ((window.xmax - window.xmin) / 19, (window.ymax - window.ymin) / 19)  # the grid's spacing
    assert abs(start[0] - target[0]) <= cell[0] / 2 + 1e-3 and abs(start[1] - target[1]) <= cell[1] / 2 + 1e-3, start
