"""AppTest of the race page on data landscapes: a preset's link (train vs test drawn, the model
panel, the table's train/test columns), a CSV upload (good, then bad: refused with its row and
column, the data kept; the link leaves the file out) and the no-minimum note."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from figures.train_test import TEST_RGB
from scenes.codec import to_query
from scenes.presets import preset_by_key
from tests.app_support import charts, messages, results, run_page, shown

GOOD_CSV = b"hours,score\n1,52\n2,55\n3,61\n4,64\n5,70\n6,71\n7,78\n8,80\n"
BAD_CSV = b"hours,score\n1,52\n2,55\n=cmd|' /C calc'!A0,61\n4,64\n5,70\n"


def _roles(fig: dict) -> list[str]:
    return [t.get("meta", {}).get("role", "") for t in fig["data"] if isinstance(t.get("meta"), dict)]


def test_a_preset_link_draws_train_and_test():
    at = run_page(query=to_query(preset_by_key("train_test_minima").scene))
    assert not at.exception and not at.error, messages(at)
    figs = charts(at)
    contour = next(f for f in figs if "test-landscape" in _roles(f))
    assert "test-minimum" in _roles(contour) and "minimum" in _roles(contour)
    axes = contour["layout"]["xaxis"]["title"]["text"], contour["layout"]["yaxis"]["title"]["text"]
    assert axes == ("w", "b")  # the line's weight and bias, not x and y
    (picture,) = contour["layout"]["images"]  # the test lines painted into the training picture
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(picture["source"].split(",", 1)[1]))).convert("RGB"))
    lines = np.all(pixels == TEST_RGB, axis=-1)
    assert lines.sum() > 100
    rows, cols = np.nonzero(lines)  # over the whole plot, not only near the test minimum
    assert rows.min() < pixels.shape[0] / 4 and cols.max() > 3 * pixels.shape[1] / 4
    loss = next(f for f in figs if "test-curve" in _roles(f))
    assert _roles(loss).count("early-stop") == 2  # one per run
    model = next(f for f in figs if "model" in _roles(f))
    assert {"training-examples", "test-examples"} <= set(_roles(model)) and model.get("frames")
    table = results(at)
    for column in ("train loss", "test loss", "gap (test - train)", "lowest test loss at step", "epochs"):
        assert column in table.columns
    assert list(table["batch B"]) == ["12 of 12", "12 of 12"]
    assert all(0 < float(e) <= 400 for e in table["epochs"])  # B = n: one epoch per step, until the run stopped
    # the bowl's roundness, raw vs standardized (the Hessian of the mean squared loss: E[x^2] vs 1)
    assert any("Condition number" in c.value and "standardized" in c.value for c in at.caption)


def test_a_data_link_without_noise_runs_the_full_batch():
    at = run_page(query={"v": "1", "ls": "data_linear"})
    assert not at.exception and not at.error, messages(at)
    n = at.session_state["batch_size"]
    assert n > 1 and set(results(at)["batch B"]) == {f"{n} of {n}"}


def test_separable_classes_say_there_is_no_minimum():
    at = run_page(query=to_query(preset_by_key("separable_weight_decay").scene))
    assert not at.exception
    assert any("No minimum" in shown(i) and "separable" in shown(i) for i in at.info)
    # the status says so for the run without weight decay, not "still moving"; the decayed run has a minimum
    table = results(at)
    status = dict(zip(table["run"], table["status"], strict=True))
    assert status["No weight decay"].startswith("no minimum: the loss keeps falling as the weights grow")
    assert not status["Weight decay 0.05"].startswith("no minimum")


def test_a_csv_upload_fits_the_file_and_a_bad_one_is_refused():
    at = run_page(query={"v": "1", "ls": "data_linear", "lp": "source:csv,test_fraction:0.25", "noise": "0:6"})
    assert not at.exception
    assert any("not in this link" in m for m in messages(at))  # the link had no file: said plainly
    at.selectbox(key="lp_data_linear_source").select("csv").run()
    assert not at.exception
    at.file_uploader(key="csv_file_data_linear").upload("scores.csv", GOOD_CSV, "text/csv").run()
    assert not at.exception and not at.error, messages(at)
    model = next(f for f in charts(at) if "model" in _roles(f))
    assert "Uploaded CSV" in model["layout"]["title"]["text"]
    assert model["layout"]["xaxis"]["title"]["text"] == "hours"
    lp = at.query_params["lp"][0] if isinstance(at.query_params["lp"], list) else at.query_params["lp"]
    assert "source:csv" in lp and "score" not in lp and "52" not in lp  # the data never go into the link
    assert any("leaves the uploaded data out" in c.value for c in at.caption)
    at.file_uploader(key="csv_file_data_linear").set_value(("bad.csv", BAD_CSV, "text/csv")).run()
    assert not at.exception
    assert any("Row 4, column 1" in m and "formula" in m for m in messages(at))
    model = next(f for f in charts(at) if "model" in _roles(f))  # the good file's data are kept
    assert model["layout"]["xaxis"]["title"]["text"] == "hours"


def test_overlapping_classes_are_described_as_a_bowl():
    """The batch-size preset's classes overlap: the line under the title must not say the loss has
    no minimum, and no "no minimum" note is shown."""
    at = run_page(query=to_query(preset_by_key("data_batch_sizes").scene))
    assert not at.exception
    line = next(m.value for m in at.markdown if m.value.startswith("**Logistic regression"))
    assert "Overlapping classes give a bowl with one minimum" in line
    assert not any("No minimum" in shown(i) for i in at.info)


def test_presenting_puts_the_data_note_under_the_animation():
    """On a projector the animation comes first: the note on the bowl's roundness goes under it (above
    it, it pushed the animation's slider off a 1280x720 screen)."""
    at = run_page(query={**to_query(preset_by_key("data_batch_sizes").scene), "present": "1"})
    assert not at.exception
    order = [
        "chart" if node.type == "plotly_chart" else "note"
        for node in at.main
        if node.type == "plotly_chart" or (node.type == "caption" and "Condition number" in node.value)
    ]
    assert order[:2] == ["chart", "note"], order
