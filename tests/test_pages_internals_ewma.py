"""AppTest tests of the 'Inside the optimizer' and 'Exponentially weighted averages' pages: they render,
react to their main controls, and turn bad input into messages, never tracebacks."""

from __future__ import annotations

import numpy as np

import landscapes
import optimizers
from analysis.ewma import EwmaSettings
from analysis.internals import InternalsSettings
from settings import spec_for
from tests.app_support import charts, messages, run_page, shown

INSIDE = "pages/3_Inside_the_optimizer.py"
EWMA = "pages/4_Exponentially_weighted_averages.py"


def _title(fig: dict) -> str:
    t = fig.get("layout", {}).get("title", {})
    return t.get("text", "") if isinstance(t, dict) else str(t)


def contour(at) -> dict:
    """The chart drawn over the landscape (its filled contour is a layout image named "landscape")."""
    return next(f for f in charts(at) if any(i.get("name") == "landscape" for i in f["layout"].get("images", [])))


def arrows(fig: dict) -> dict[str, dict]:
    return {
        t["meta"]["kind"]: t
        for t in fig["data"]
        if isinstance(t.get("meta"), dict) and t["meta"].get("role") == "arrow"
    }


def runner_positions(landscape: str, kind: str, steps: int, **hp) -> np.ndarray:
    """The same run through optimizers.run, independent of the page's core: ``(steps + 1, 2)``."""
    L = landscapes.get(landscape)
    res = optimizers.run(
        L,
        [optimizers.RunConfig(optimizers.make(kind, **hp))],
        np.array([L.starts[0]]),
        optimizers.RunOptions(steps=steps),
    )
    return res.positions[0]


# --- Inside the optimizer --------------------------------------------------------------------------
def test_inside_renders_and_follows_the_step_slider():
    at = run_page(INSIDE)
    assert not at.exception and not messages(at)
    figs = charts(at)
    assert len(figs) == 4  # contour, state, bias correction (Adam), effective step size
    assert at.slider(key="internals.step").value == 10
    pos = runner_positions("ravine", "adam", 100, lr=0.05)
    for step in (10, 37):
        if step != 10:
            at.slider(key="internals.step").set_value(step).run()
            assert not at.exception and at.query_params["step"] == str(step)
        fig = contour(at)
        assert f"step {step} of 100" in _title(fig)
        arr = arrows(fig)
        assert set(arr) == {"gradient", "velocity", "step"}
        for trace in arr.values():
            assert np.allclose([trace["x"][0], trace["y"][0]], pos[step - 1], rtol=1e-9)
        g = landscapes.get("ravine").grad(pos[step - 1])
        d = np.array([arr["gradient"]["x"][1], arr["gradient"]["y"][1]]) - pos[step - 1]
        assert np.allclose(d / np.linalg.norm(d), -g / np.linalg.norm(g), atol=1e-9)


def test_inside_reacts_to_the_optimizer_choice():
    at = run_page(INSIDE)
    at.selectbox(key="internals.optimizer").select("momentum").run()
    assert not at.exception and not at.error
    figs = charts(at)
    assert len(figs) == 3  # no bias-correction figure for momentum
    fig = contour(at)
    assert "Momentum" in _title(fig)
    assert "−b (momentum buffer)" in arrows(fig)["velocity"]["name"]
    assert at.query_params["optimizer"] == "momentum"
    at.selectbox(key="internals.optimizer").select("sgd").run()
    assert not at.exception
    assert set(arrows(contour(at))) == {"gradient", "step"}
    assert any("no bias-corrected moments" in m.value for m in at.markdown)


def test_inside_clamps_a_step_beyond_the_run_with_a_warning():
    at = run_page(INSIDE, query={"step": "500", "beta1": "2"})
    assert not at.exception and not at.error
    assert at.slider(key="internals.step").value == 100
    assert at.query_params["step"] == "100"
    assert "step 100 of 100" in _title(contour(at))  # the chart shows the clamped step
    beta1 = at.number_input(key="internals.beta1")
    top = spec_for(InternalsSettings, "beta1").closed()[1]
    assert beta1.value == top < 1  # clamped to the declared top, and the link says so
    assert float(at.query_params["beta1"]) == top
    for name in ("step", "beta1"):
        assert any(name in shown(w) for w in at.warning), name
    # fewer steps than the shown step: clamped again, with a warning
    at.number_input(key="internals.steps").set_value(5).run()
    assert not at.exception
    assert at.slider(key="internals.step").value == 5
    assert "step 5 of 5" in _title(contour(at))
    assert any("step" in shown(w) for w in at.warning)


def test_inside_refused_combination_and_divergence_are_messages():
    at = run_page(INSIDE, query={"optimizer": "nesterov", "momentum": "0"})
    assert not at.exception
    assert any("momentum" in m for m in messages(at))  # the setting that makes it impossible is named
    at = run_page(
        INSIDE, query={"landscape": "rosenbrock", "optimizer": "sgd", "suggested_lr": "0", "lr": "0.05", "steps": "1"}
    )
    assert not at.exception and not at.error
    assert len(charts(at)) == 3  # one step: no slider, still every figure
    assert not at.slider
    at = run_page(INSIDE, query={"landscape": "rosenbrock", "optimizer": "sgd", "suggested_lr": "0", "lr": "0.05"})
    assert not at.exception
    assert any("diverged" in shown(w) for w in at.warning)


# --- Exponentially weighted averages -------------------------------------------------------------
def series_traces(at) -> list[dict]:
    fig = next(f for f in charts(at) if "Daily temperature" in _title(f))
    return fig["data"]


def test_ewma_renders_and_reacts_to_beta():
    at = run_page(EWMA)
    assert not at.exception and not messages(at)
    assert len(charts(at)) == 3  # series, start-up view, weights
    data = series_traces(at)
    assert len(data) == 1 + 2 * 4  # 0.5, 0.9, 0.95 (default), 0.98
    theta = np.asarray(data[0]["y"], dtype=float)
    corrected = [t for t in data if t["meta"]["role"] == "corrected"]
    assert all(abs(float(np.asarray(t["y"], dtype=float)[0]) - theta[0]) < 1e-5 for t in corrected)
    at.number_input(key="ewma.beta").set_value(0.7).run()
    assert not at.exception and at.query_params["beta"] == "0.7"
    data = series_traces(at)
    assert len(data) == 9 and any(t["name"].startswith("β = 0.7 ") for t in data)
    at.number_input(key="ewma.beta").set_value(0.9).run()  # one of the fixed betas: no duplicate
    assert len(series_traces(at)) == 7
    zoom = next(f for f in charts(at) if "first 60 days" in _title(f))
    assert all(len(t["x"]) == 60 for t in zoom["data"])


def test_ewma_bad_link_values_are_clamped_with_warnings():
    at = run_page(EWMA, query={"beta": "2", "days": "abc", "zoom": "-3"})
    assert not at.exception and not at.error
    for name in ("beta", "days", "zoom"):
        assert any(name in shown(w) for w in at.warning), name
    beta, days, zoom = (at.number_input(key=f"ewma.{k}") for k in ("beta", "days", "zoom"))
    assert beta.value == spec_for(EwmaSettings, "beta").closed()[1] < 1  # clamped to the nearest end of the range
    assert zoom.value == spec_for(EwmaSettings, "zoom").closed()[0] > 0
    assert days.value == run_page(EWMA).number_input(key="ewma.days").value  # not a number: the default
    # the charts use the values the widgets show
    assert any(t["name"].startswith(f"β = {beta.value:g} ") for t in series_traces(at))
    first = next(f for f in charts(at) if "first" in _title(f))
    assert all(len(t["x"]) == zoom.value for t in first["data"])
    daily = series_traces(at)
    assert len(daily[0]["x"]) == days.value
