"""End-to-end: a data race in Chromium (a preset's link): the training surface with the test loss
dashed over it, the runs' legend, the model panel with its slider, no exception; then a dataset
control (standardize) changes the link and redraws. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from scenes.codec import scene_url
from scenes.presets import preset_by_key
from tests.browser_support import screenshot, wait_for_charts, wait_idle


def _titles(page) -> list[str]:
    return page.eval_on_selector_all(".gtitle", "els => els.map(e => e.textContent)")


def _legend(page) -> list[str]:
    return page.eval_on_selector_all(".legendtext", "els => els.map(e => e.textContent)")


def test_a_data_race_draws_train_test_and_the_model(server, browser_page):
    page = browser_page
    preset = preset_by_key("train_test_minima")
    page.goto(server + scene_url(preset.scene, base="/"))
    wait_for_charts(page, 5, timeout=120_000)  # contour, surface, loss, distance, model
    wait_for_charts(page, 1, ".contour")
    wait_idle(page)
    assert not page.get_by_test_id("stException").count()
    titles = _titles(page)
    assert any("Linear regression (data)" in t for t in titles)
    assert any(t.startswith("The model") for t in titles)
    legend = set(_legend(page))
    assert {"test loss", "test minimum", "training examples", "test examples"} <= legend
    assert set(preset.scene.labels()) <= legend
    assert page.locator(".slider-container").count() >= 1  # the model panel's step slider
    screenshot(page, "data-race-train-test")
    page.get_by_text("standardize feature").click()
    page.wait_for_function(
        "() => location.search.includes('standardize%3Afalse') || location.search.includes('standardize:false')",
        timeout=60_000,
    )
    wait_idle(page)
    wait_for_charts(page, 1, ".contour")
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "data-race-raw-feature")
