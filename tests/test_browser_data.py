"""End-to-end: a data race in Chromium (a preset's link): the training surface with the test loss
dashed over it, the runs' legend, the model panel with its slider, no exception; then a dataset
control (standardize) changes the link and redraws. Screenshots in artifacts/screenshots/."""

from __future__ import annotations

from scenes.codec import scene_url
from scenes.presets import preset_by_key
from tests.browser_support import chart_titles, legend_texts, screenshot, wait_for_charts, wait_idle

PICTURE = ".imagelayer image"  # the training surface with the test lines painted in, drawn as a picture


def test_a_data_race_draws_train_test_and_the_model(server, browser_page):
    page = browser_page
    preset = preset_by_key("train_test_minima")
    page.goto(server + scene_url(preset.scene, base="/"))
    wait_for_charts(page, 4, timeout=240_000)  # contour, loss, distance, model (the surface is off by default)
    wait_for_charts(page, 1, PICTURE)
    wait_idle(page)
    assert not page.get_by_test_id("stException").count()
    titles = chart_titles(page)
    assert any("Linear regression (data)" in t for t in titles)
    assert any(t.startswith("The model") for t in titles)
    legend = set(legend_texts(page))
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
    wait_for_charts(page, 1, PICTURE)
    assert not page.get_by_test_id("stException").count()
    screenshot(page, "data-race-raw-feature")
    # on a phone the model panel keeps a plot: its legend under it, play/pause clear of the slider
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_timeout(1500)  # Plotly relayouts on resize
        model = page.locator('[data-testid="stPlotlyChart"]', has=page.locator(".gtitle", has_text="The model"))
        boxes = model.evaluate(MODEL_BOXES)
        screenshot(page, "data-race-phone")
    finally:  # the module's page is shared: the next test works in the sidebar of a desktop-sized page
        page.set_viewport_size(size)
    plot, legend, slider, buttons = (boxes[k] for k in ("plot", "legend", "slider", "buttons"))
    assert plot["width"] >= 250, boxes
    assert legend["top"] >= plot["bottom"], boxes
    assert buttons["top"] >= slider["bottom"] - 1 or buttons["right"] <= slider["left"] + 1, boxes


MODEL_BOXES = """c => {
    const box = s => { const b = c.querySelector(s).getBoundingClientRect();
        return {left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width}; };
    return {plot: box('.nsewdrag'), legend: box('.legend'), slider: box('.slider-container'),
        buttons: box('.updatemenu-container')};
}"""


GOOD_CSV = b"hours,score\n1,52\n2,55\n3,61\n4,64\n5,70\n6,71\n7,78\n8,80\n"
BAD_CSV = b"hours,score\n1,52\n2,55\n=cmd|' /C calc'!A0,61\n4,64\n5,70\n"


def test_a_csv_upload_fits_the_file_and_a_bad_one_is_refused_in_the_browser(server, browser_page):
    """A link that names an uploaded CSV says the file is not in it; choosing the CSV dataset and
    uploading a file fits it (the model panel is titled by the file's columns); a file with a
    formula cell is refused with its row and column, shown as plain text, and the good data kept."""
    page = browser_page
    page.goto(server + "/?v=1&ls=data_linear&lp=source:csv,test_fraction:0.25&noise=0:6")
    wait_for_charts(page, 4, timeout=240_000)
    wait_idle(page)
    assert page.get_by_text("not in this link", exact=False).count() >= 1
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name="Your CSV file (upload)").click()
    uploader = page.get_by_test_id("stSidebar").locator('[data-testid="stFileUploaderDropzoneInput"][accept*=".csv"]')
    uploader.wait_for(state="attached", timeout=60_000)
    uploader.set_input_files(files=[{"name": "scores.csv", "mimeType": "text/csv", "buffer": GOOD_CSV}])
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.gtitle')).some(e => e.textContent.includes('Uploaded CSV'))",
        timeout=120_000,
    )
    wait_idle(page)
    assert page.locator(".xtitle", has_text="hours").count() >= 1  # the file's own column names
    assert not page.get_by_test_id("stException").count()
    uploader.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_CSV}])
    page.get_by_text("Row 4, column 1", exact=False).first.wait_for(timeout=120_000)
    wait_idle(page)
    assert not page.get_by_test_id("stException").count()
    assert page.locator(".xtitle", has_text="hours").count() >= 1  # the good file's data are kept
    assert not page.locator('[data-testid="stSidebar"] a[href*="calc"]').count()  # plain text, no link
    screenshot(page, "data-race-csv-refused")
