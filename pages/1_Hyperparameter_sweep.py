"""Lesson: a hyperparameter sweep. One optimizer from one start over a grid of two of its
hyperparameters (up to 100 x 100 runs in one vectorized call); where training is stable, where
it diverges, and where the stable learning-rate band ends. Click a cell to race it."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Hyperparameter sweep")

import pandas as pd  # noqa: E402

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from analysis.sweep import (  # noqa: E402
    KINDS,
    LANDSCAPES,
    METRICS,
    SweepResult,
    SweepSettings,
    compute_sweep,
    sweep_params,
    theory_edge,
)
from figures.sweep import param_label, sweep_figure  # noqa: E402
from ui import lesson, page  # noqa: E402
from ui.charts import chart  # noqa: E402
from ui.race_link import open_as_race  # noqa: E402
from ui.sweep_controls import CHART_KEY, KEY, axis_changed, clicked_cell, start_toggled, sync_axes  # noqa: E402
from ui.widgets import stacked  # noqa: E402

S = SweepSettings
METRIC_TITLES = {"final_loss": "final loss", "steps_to_tol": "steps to tolerance"}


@st.cache_data(max_entries=16, show_spinner=False)
def run_sweep(settings: SweepSettings) -> SweepResult:
    return compute_sweep(settings)


lesson.start_page(S, KEY)
ss = st.session_state
title = {k: optimizers.optimizer_class(k).title for k in KINDS}
with st.sidebar:
    st.header("Landscape and optimizer")
    lesson.choice(
        S,
        KEY,
        "landscape",
        "Landscape",
        list(LANDSCAPES),
        format_func=lambda k: landscapes.landscape_class(k).title,
    )
    if landscapes.takes(ss.get(f"{KEY}.landscape", S.landscape), "formula"):
        lesson.text(S, KEY, "formula", "f(x, y) =", help="Same syntax as on the race page; window -3..3.")
    lesson.choice(S, KEY, "optimizer", "Optimizer", list(KINDS), format_func=title.get, on_change=sync_axes)
    sync_axes()
    kind = ss.get(f"{KEY}.optimizer", S.optimizer)
    params = sweep_params(kind) if kind in KINDS else ["lr"]
    for axis, label in (("x", "x axis"), ("y", "y axis")):
        st.header(label)
        lesson.choice(
            S,
            KEY,
            f"{axis}_param",
            "Hyperparameter",
            params,
            format_func=lambda p, kind=kind: f"{param_label(kind, p)} ({p})",
            on_change=axis_changed,
            args=(axis,),
        )
        c1, c2 = st.columns(2)
        lesson.number(S, KEY, f"{axis}_min", "min", container=c1)
        lesson.number(S, KEY, f"{axis}_max", "max", container=c2)
        c1, c2 = st.columns(2)
        lesson.number(S, KEY, f"n{axis}", "cells", container=c1, help="1 to 100")
        with c2:
            lesson.toggle(S, KEY, f"{axis}_log", "log scale")
    st.header("Runs")
    lesson.toggle(S, KEY, "custom_start", "Own start point", on_change=start_toggled)
    own = bool(ss.get(f"{KEY}.custom_start", False))
    c1, c2 = st.columns(2)
    lesson.number(S, KEY, "start_x", "start x", container=c1, disabled=not own)
    lesson.number(S, KEY, "start_y", "start y", container=c2, disabled=not own)
    lesson.number(S, KEY, "steps", "Steps")
    lesson.number(S, KEY, "tol", "Tolerance", help="distance to a known minimum that counts as reaching it")
    lesson.choice(S, KEY, "metric", "Colour by", list(METRICS), format_func=METRIC_TITLES.get)
settings = lesson.finish_settings(S, KEY)

st.title("Hyperparameter sweep")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "Every cell is one full training run of the same optimizer from the same start, with the two chosen "
        "hyperparameters set to the cell's values. All cells run together in one vectorized call. Cells where "
        "the run **diverged**, **left the window** or ended with a **higher loss than it started** are coloured "
        "apart; the white line marks where the stable band ends in each row."
    )

page.stop_on_problems(settings.problems())

with st.spinner(f"Running {settings.cells:,} runs x {settings.steps} steps…"):
    result = page.run_or_stop(run_sweep, settings)

style = lesson.figure_style()
selected = clicked_cell(result)
fig = sweep_figure(result, style, selected=selected)
chart(fig, "hyperparameter-sweep", CHART_KEY, on_select="rerun", selection_mode="points")

start = result.start
landscape = settings.landscape_obj()
st.caption(
    f"{landscape.title} from ({start[0]:.4g}, {start[1]:.4g}), starting loss {result.start_loss:.4g}. "
    "Click a cell to open that configuration as a race."
)

if selected is not None:
    i, j = selected
    st.subheader("Clicked cell")
    left, right = st.columns([3, 1])
    with left:
        row = result.cell(i, j)
        st.dataframe(pd.DataFrame([{k: ("—" if v is None else v) for k, v in row.items()}]), hide_index=True)
    with right:
        open_as_race(settings.cell_scene(i, j), "Open as a race", primary=True)

st.subheader("The stable band")
xname = param_label(settings.optimizer, settings.x_param)
st.markdown(
    f"For each {settings.y_param} value, the band of stable {xname} values runs from the left edge to the last "
    "cell before the first failure. For gradient descent on a quadratic with largest curvature "
    r"$\lambda_{\max}$ the iteration $p_t = (I - \eta H)\, p_{t-1}$ converges exactly when "
    r"$|1 - \eta\lambda| < 1$ for every eigenvalue; heavy-ball momentum widens the band:"
)
st.latex(  # one limit a line: side by side they ran past an 800 px page's main column
    stacked(
        r"0 < \eta < \frac{2}{\lambda_{\max}}\quad\text{(GD)},\qquad "
        r"0 < \eta < \frac{2(1+\mu)}{\lambda_{\max}}\quad\text{(heavy ball, } 0 \le \mu < 1\text{)}"
    )
)
theory = theory_edge(settings, result.ys)
if theory is not None:
    st.caption("The dashed line is that limit for this landscape (its Hessian is constant).")
edges = pd.DataFrame(
    {
        settings.y_param: result.ys,
        f"last stable {settings.x_param}": result.edge_x,
        f"first failing {settings.x_param}": result.fail_x,
    }
)
if theory is not None:
    edges["theory"] = theory
with st.expander("Edge of the stable band, row by row"):
    st.dataframe(edges, hide_index=True)
