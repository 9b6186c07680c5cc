"""AppTest tests of the lesson pages 5 (batch size), 6 (learning-rate schedules), 7 (second-order methods)."""

from __future__ import annotations

import re

import numpy as np

from analysis.batch import MAX_CURVE_WORK
from analysis.schedule_lesson import ScheduleSettings
from settings import spec_for
from tests.app_support import chart_titles, charts, messages, results, run_page, shown

BATCH = "pages/5_Batch_size_and_noise.py"
SCHED = "pages/6_Learning_rate_schedules.py"
SECOND = "pages/7_Second_order_methods.py"
BATCH_SMALL = {"steps": "60", "seeds": "6", "basin_runs": "10", "basin_steps": "80", "basin_batches": "1, 64"}
SCHED_SMALL = {"steps": "120", "seeds": "4"}
SECOND_SMALL = {"steps": "80"}


def chart(at, word: str) -> dict:
    """The first chart whose title contains ``word``."""
    for fig, title in zip(charts(at), chart_titles(at), strict=True):
        if word in title:
            return fig
    raise AssertionError(f"no chart titled with {word!r}: {chart_titles(at)}")


def roles(fig: dict, role: str) -> list[dict]:
    return [t for t in fig["data"] if (t.get("meta") or {}).get("role") == role]


def contour_z(fig: dict) -> str:
    """The landscape under the chart: its image (the filled contour, drawn on the server) as a data URI."""
    (img,) = [i for i in fig["layout"].get("images", []) if i.get("name") == "landscape"]
    assert img["source"].startswith("data:image/png;base64,")
    return img["source"]


# --- 5: batch size -------------------------------------------------------------------------------
def test_batch_page_renders_and_reacts_to_batch_sizes():
    at = run_page(BATCH, query=BATCH_SMALL)
    assert not at.exception and not at.error
    titles = chart_titles(at)
    assert len(titles) == 5
    band = chart(at, "median and 10–90% band")
    assert [t["name"] for t in roles(band, "median")] == ["B = 1 (stochastic)", "B = 8", "B = 64", "full batch"]
    assert len(roles(band, "band_lo")) == 4
    contour = chart(at, "one seed per batch size")
    paths = [t for t in contour["data"] if (t.get("meta") or {}).get("role") == "path"]
    assert len(paths) == 4
    for p in paths:  # every path starts at Himmelblau's first default start (0, 0)
        assert np.allclose([p["x"][0], p["y"][0]], [0.0, 0.0])
    bars = chart(at, "Where noisy SGD ends")
    assert [t["name"] for t in roles(bars, "basin")][:2] == ["sharp minimum", "flat minimum"]
    assert list(roles(bars, "basin")[0]["x"]) == ["1", "64", "full"]

    at.text_input(key="batch.batches").set_value("2, 32").run()
    assert not at.exception and not at.error
    band = chart(at, "median and 10–90% band")
    assert [t["name"] for t in roles(band, "median")] == ["B = 2", "B = 32", "full batch"]
    assert at.query_params["batches"] in ("2, 32", ["2, 32"])  # the link follows the widgets

    at.selectbox(key="batch.landscape").select("quadratic").run()
    assert not at.exception
    assert "Quadratic" in chart_titles(at)[0]


def test_batch_page_bad_values_give_a_message():
    at = run_page(BATCH, query=BATCH_SMALL)
    at.text_input(key="batch.batches").set_value("1, eight").run()
    assert not at.exception
    assert any("batch size" in m and "eight" in m for m in messages(at))
    assert not charts(at)  # nothing computed from refused settings
    # a link with nonsense: the bad pieces are ignored with a warning, the page still renders
    at = run_page(BATCH, query={**BATCH_SMALL, "landscape": "moon", "seeds": "many"})
    assert not at.exception
    text = " ".join(messages(at))
    assert "landscape" in text and "seeds" in text
    assert len(charts(at)) == 5
    # too much work for one page: told (naming the settings), and what is shown stays within the limit
    at = run_page(BATCH, query={**BATCH_SMALL, "steps": "5000", "seeds": "500"})
    assert not at.exception
    assert any("seeds" in m or "steps" in m for m in messages(at))
    steps, seeds = (at.number_input(key=f"batch.{k}").value for k in ("steps", "seeds"))
    curves = len(roles(chart(at, "median and 10–90% band"), "median"))  # batch sizes shown (with full batch)
    assert curves * seeds * steps <= MAX_CURVE_WORK


# --- 6: schedules --------------------------------------------------------------------------------
def test_schedule_page_renders_and_reacts_to_its_toggles():
    at = run_page(SCHED, query=SCHED_SMALL)
    assert not at.exception and not at.error
    lr = chart(at, "Learning rate by update")
    curves = roles(lr, "lr")
    assert len(curves) == 6
    const = np.asarray(curves[0]["y"], dtype=float)
    assert np.allclose(const, 0.01)  # Himmelblau's suggested lr0, constant
    assert len(at.latex) >= 6  # a formula for each schedule
    distance = chart(at, "Distance to the nearest minimum")
    assert len(roles(distance, "median")) == 6 and not roles(distance, "band_lo")

    at.toggle(key="sched.use_step").set_value(False).run()
    at.toggle(key="sched.show_band").set_value(True).run()
    assert not at.exception
    assert len(roles(chart(at, "Learning rate by update"), "lr")) == 5
    distance = chart(at, "Distance to the nearest minimum")
    assert len(roles(distance, "median")) == 5 and len(roles(distance, "band_lo")) == 5
    before = contour_z(chart(at, "one seed per schedule"))
    at.selectbox(key="sched.landscape").select("rastrigin").run()
    assert not at.exception
    assert before != contour_z(chart(at, "one seed per schedule"))
    assert "Rastrigin" in " ".join(chart_titles(at))


def test_schedule_page_bad_values_give_a_message():
    at = run_page(SCHED, query=SCHED_SMALL)
    at.number_input(key="sched.warmup").set_value(200).run()  # longer than the 120-step run
    assert not at.exception
    assert any(re.search(r"warm.?up", m, re.IGNORECASE) for m in messages(at))
    assert at.error and not charts(at)  # refused: nothing computed from it
    assert "warmup" not in at.query_params  # nor written to the link
    at = run_page(SCHED, query={**SCHED_SMALL, "exp_gamma": "1.5"})
    assert not at.exception and not at.error
    gamma = at.number_input(key="sched.exp_gamma")
    top = spec_for(ScheduleSettings, "exp_gamma").closed()[1]
    assert gamma.value == top <= 1  # clamped to the declared top, and said so
    assert any("exp_gamma" in shown(w) for w in at.warning)
    assert float(at.query_params["exp_gamma"]) == top
    # the exponential schedule drawn is the clamped one: lr0 * gamma**k
    lr = roles(chart(at, "Learning rate by update"), "lr")
    expo = next(t for t in lr if "xponential" in t["name"])
    y = np.asarray(expo["y"], dtype=float)
    np.testing.assert_allclose(y[1:] / y[:-1], gamma.value, rtol=1e-5)


# --- 7: second order -----------------------------------------------------------------------------
def test_second_order_page_renders_and_reacts_to_the_landscape():
    at = run_page(SECOND, query=SECOND_SMALL)
    assert not at.exception and not at.error
    assert len(charts(at)) == 5
    table = results(at)
    assert list(table["method"])[:2] == ["Gradient descent (lr 0.000478)", "Newton"]
    assert table["status"].iloc[1] == "reached a minimum"
    evals = chart(at, "Evaluations to reach the tolerance")
    assert len(roles(evals, "to_tol")) == 3

    at.selectbox(key="second.landscape").select("saddle").run()
    assert not at.exception and not at.error
    table = results(at)
    newton = table[table["method"] == "Newton"].iloc[0]
    assert newton["status"] == "stuck (saddle or plateau)"
    assert table[table["method"] == "Saddle-free Newton"].iloc[0]["status"] == "left the window"
    assert "Saddle" in chart_titles(at)[0]
    assert not any("Evaluations to reach" in t for t in chart_titles(at))  # no minimum: nothing to reach
    assert any("no minimum" in i.value for i in at.info)

    at.number_input(key="second.damping").set_value(3.0).run()
    assert not at.exception
    assert "Damped Newton (λ = 3)" in list(results(at)["method"])


def test_second_order_page_bad_values_give_a_message():
    at = run_page(SECOND, query={**SECOND_SMALL, "tol": "abc", "landscape": "himmelblau"})
    assert not at.exception
    text = " ".join(messages(at))
    assert "tol" in text and "landscape" in text
    assert len(charts(at)) == 5  # the defaults are shown instead
