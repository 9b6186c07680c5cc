"""Lesson: learning-rate schedules (constant, step, exponential, inverse time, cosine, warm-up)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Learning-rate schedules")

import pandas as pd  # noqa: E402

from analysis.schedule_lesson import (  # noqa: E402
    FORMULAS,
    LANDSCAPES,
    OPTIMIZERS,
    TITLES,
    ScheduleLesson,
    ScheduleSettings,
    schedule_lesson,
)
from figures.batch import band_figure  # noqa: E402
from figures.contour import contour_figure  # noqa: E402
from figures.grid import known_min_value  # noqa: E402
from figures.schedules import lr_figure  # noqa: E402
from scenes import spec  # noqa: E402
from ui import compute, lesson, page  # noqa: E402
from ui.charts import chart, side_by_side  # noqa: E402
from ui.race_link import lesson_scene, open_as_race  # noqa: E402
from ui.run_controls import run_controls  # noqa: E402

KEY = "sched"
FORMULA_MIN = 440  # a schedule's formula per cell: as many a row as fit, one on a phone (at 300, three
# a row on a projector cut the cosines' formulas)
S = ScheduleSettings


@st.cache_data(max_entries=16, show_spinner="Running every schedule with every seed…")
def run_lesson(settings: ScheduleSettings) -> ScheduleLesson:
    return schedule_lesson(settings)


lesson.start_page(S, KEY)
with st.sidebar:
    run_controls(S, KEY, LANDSCAPES, OPTIMIZERS, lr_label="Initial learning rate η₀", seeds_label="Seeds per schedule")
    st.header("Schedules")
    st.caption("Constant is always shown, as the baseline.")
    for name in ("step", "exponential", "inverse_time", "cosine", "warmup_cosine"):
        lesson.toggle(S, KEY, f"use_{name}", TITLES[name].capitalize())
    lesson.number(S, KEY, "step_gamma", "Step decay factor γₛ")
    lesson.number(S, KEY, "step_size", "Step every s updates")
    lesson.number(S, KEY, "exp_gamma", "Exponential factor γₑ", step=0.001)
    lesson.number(S, KEY, "decay", "Inverse time decay d")
    lesson.number(S, KEY, "min_factor", "Cosine floor m (fraction of η₀)")
    lesson.number(S, KEY, "warmup", "Warm-up updates W")
    lesson.number(S, KEY, "warmup_start", "Warm-up starts at w₀ · η₀")
    st.header("View")
    lesson.toggle(S, KEY, "show_band", "Show the 10–90% band over seeds")
settings = lesson.finish_settings(S, KEY)

st.title("Learning-rate schedules")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "With noisy gradients a constant learning rate never lets the iterates settle: every step adds "
        "η times the noise, so they bounce in a cloud around the minimum. Decaying the rate trades "
        "**exploration** early (large steps cross the landscape and escape poor regions) for "
        "**exploitation** late (small steps average the noise out and settle)."
    )

result = page.run_or_stop(run_lesson, settings)

style = lesson.figure_style()
if settings.suggested:
    st.caption(
        f"Suggested for {result.landscape.title}: η₀ = {result.lr0:g}, σ = {result.sigma:g}. "
        "Switch the suggestion off to set your own."
    )

# --- the schedules -------------------------------------------------------------------------------
st.header("The schedules")
lfig = lr_figure(result.updates, result.lr, result.labels, style)
chart(lfig, "lr-schedules", "sched_lr")
st.caption(
    "The rate used at update t = k + 1 (k = 0, 1, 2, … counts the updates made before it, as "
    "PyTorch's lr_scheduler does)."
)
cols = side_by_side(len(result.names), FORMULA_MIN)
for i, name in enumerate(result.names):
    with cols[i]:
        st.markdown(f"**{TITLES[name].capitalize()}**")
        st.latex(FORMULAS[name])
params = (
    f"η₀ = {result.lr0:g}, γₛ = {settings.step_gamma:g}, s = {settings.step_size}, "
    f"γₑ = {settings.exp_gamma:g}, d = {settings.decay:g}, m = {settings.min_factor:g}, "
    f"T = {settings.steps}, W = {settings.warmup}, w₀ = {settings.warmup_start:g}"
)
st.caption(params)

# --- their effect --------------------------------------------------------------------------------
st.header("Their effect on a noisy run")
left, right = side_by_side()
with left:
    grid = compute.landscape_grid(result.landscape)
    contour = contour_figure(
        result.landscape,
        grid,
        result.paths,
        list(result.labels),
        style,
        starts=result.start[None, :],
        clickable=False,
        title=f"{result.landscape.title}: one seed per schedule",
    )
    chart(contour, "schedule-paths", "sched_contour")
with right:
    what = "median and 10–90% band" if settings.show_band else "median"
    dfig = band_figure(
        result.result.steps,
        result.distance_band,
        result.labels,
        style,
        title=f"Distance to the nearest minimum ({what} over {result.seeds} seeds)",
        y_title="distance",
        what="distance",
        show_band=settings.show_band,
    )
    chart(dfig, "schedule-distance", "sched_distance")
f_star = known_min_value(result.landscape)
lfig2 = band_figure(
    result.result.steps,
    result.loss_band,
    result.labels,
    style,
    offset=f_star if f_star is not None else 0.0,
    y_title="loss − f*",
    what="loss − f*",
    title=f"Loss ({what} over {result.seeds} seeds)",
    show_band=settings.show_band,
)
chart(lfig2, "schedule-loss", "sched_loss")

st.subheader("Where the runs end")
table = pd.DataFrame(result.final_table())
lesson.table(table)  # numbers to 4 significant digits
const = table["mean final distance"].iloc[0]
best = table.iloc[int(table["mean final distance"].values.argmin())]
if best["schedule"] != table["schedule"].iloc[0]:
    st.markdown(
        f"Over {result.seeds} seeds the constant rate ends on average **{const:.3g}** from the nearest "
        f"minimum; **{best['schedule']}** ends **{best['mean final distance']:.3g}** away."
    )
st.markdown(
    "For plain SGD on a bowl of curvature c with noise of spread σ, a constant rate η leaves the iterates "
    "spread around the minimum with variance about η σ² / (2c) per coordinate: the cloud shrinks only when "
    "η does. Robbins and Monro's conditions Σ η_t = ∞ (go anywhere) and Σ η_t² < ∞ (stop moving) are what "
    "inverse-time decay satisfies; in practice step, exponential and cosine schedules decay over a fixed "
    "budget, and warm-up keeps the first, least reliable steps small (it matters most for adaptive methods "
    "such as Adam, whose early second-moment estimates are poor)."
)

runs = tuple(
    spec(settings.optimizer, label=label, schedule=sched, lr=result.lr0)
    for label, sched in zip(result.labels, result.schedules, strict=True)
)
scene = lesson_scene(
    settings.landscape, runs, result.start, settings.steps, seed=settings.seed, noise_sigma=result.sigma
)
open_as_race(scene, help="one seed per schedule")
