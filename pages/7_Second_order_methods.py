"""Lesson: second-order methods (Newton, damped and saddle-free Newton, BFGS, CG, coordinate descent)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Second-order methods")

import pandas as pd  # noqa: E402

from analysis.second_order_lesson import (  # noqa: E402
    LANDSCAPES,
    SADDLE_START,
    SADDLE_STEPS,
    SecondOrderLesson,
    SecondOrderSettings,
    method_config,
    second_order_lesson,
)
from figures.contour import contour_figure  # noqa: E402
from figures.curves import distance_figure  # noqa: E402
from figures.second_order import cost_per_step_figure, evals_to_tol_figure  # noqa: E402
from optimizers.second_order import BFGS, ConjugateGradient, CoordinateDescent, Newton  # noqa: E402
from scenes import spec  # noqa: E402
from ui import compute, lesson, page  # noqa: E402
from ui.charts import chart, side_by_side  # noqa: E402
from ui.race_link import lesson_scene, open_as_race  # noqa: E402
from ui.run_controls import run_controls  # noqa: E402
from ui.widgets import stacked  # noqa: E402

KEY = "second"
S = SecondOrderSettings


@st.cache_data(max_entries=16, show_spinner="Running every method…")
def run_lesson(settings: SecondOrderSettings) -> SecondOrderLesson:
    return second_order_lesson(settings)


lesson.start_page(S, KEY)
with st.sidebar:
    run_controls(S, KEY, LANDSCAPES)
    lesson.number(S, KEY, "tol", "Tolerance (distance to a minimum)", step=1e-4)
    st.header("Methods")
    lesson.number(S, KEY, "gd_lr", "GD learning rate (0 = 1 / largest curvature)", step=1e-4)
    lesson.number(S, KEY, "damping", "Damping λ of damped Newton")
    lesson.toggle(S, KEY, "coordinate_exact", "Coordinate descent: exact 1D Newton steps")
settings = lesson.finish_settings(S, KEY)

st.title("Second-order methods")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "Gradient descent only knows the slope. **Newton's method** also uses the curvature (the Hessian "
        "H) and jumps to the stationary point of the local quadratic model: on a quadratic bowl that is the "
        "minimum, reached in one step, however badly scaled the bowl. Each step costs a Hessian (n² numbers "
        "in n dimensions) and a linear solve (about n³ operations), which is why deep learning does not use "
        "it directly. **BFGS** learns an approximation of H⁻¹ from successive gradients, **conjugate "
        "gradient** builds directions that do not undo each other; both need only gradients and function "
        "values (for their line search)."
    )
    for title, rule in (
        ("Gradient descent", r"p_t = p_{t-1} - \eta\, g_t"),
        ("Newton (damped: λ > 0; saddle-free: |H|)", Newton.rule),
        ("BFGS", BFGS.rule),
        ("Conjugate gradient", ConjugateGradient.rule),
        ("Coordinate descent", CoordinateDescent.rule),
    ):
        st.markdown(f"**{title}**")
        st.latex(stacked(rule))  # one equation a line: BFGS's and CG's ran off an 800 px page

result = page.run_or_stop(run_lesson, settings)

style = lesson.figure_style()
ls = result.landscape
st.header(f"The race on {ls.title}")
st.caption(
    f"{ls.lesson} Gradient descent uses lr = {result.gd_lr:.4g}"
    + (" (1 / the largest curvature at the start and the minima)." if settings.gd_lr == 0 else ".")
)
left, right = side_by_side()
with left:
    grid = compute.landscape_grid(ls)
    contour = contour_figure(
        ls,
        grid,
        result.result,
        list(result.labels),
        style,
        starts=result.start[None, :],
        clickable=False,
        title=f"{ls.title}: every method from one start",
    )
    chart(contour, "second-order-paths", "second_contour")
with right:
    dist = distance_figure(result.result, ls, list(result.labels), style)
    chart(dist, "second-order-distance", "second_distance")

st.subheader("Steps and evaluations")
table = pd.DataFrame(result.table())
fmt = {c: "{:.3g}" for c in ("final distance", "final loss", "gradients / step", "Hessians / step", "values / step")}
lesson.table(table, {"steps to tol": "{:.0f}", "evals to tol": "{:.0f}", **fmt})
st.caption(
    f"steps to tol: first step within {settings.tol:g} of a known minimum (— never). Gradient counts "
    "include the start's gradient. Status: reached a minimum (came to rest there), stuck (came to rest "
    "elsewhere: a saddle or a plateau), still moving (the steps ran out), left the window / diverged (flew off)."
)

c1, c2 = side_by_side()
with c1:
    cost = cost_per_step_figure(result.labels, result.per_step(), style)
    chart(cost, "cost-per-step", "second_cost")
with c2:
    if ls.minima():
        evals = evals_to_tol_figure(
            result.labels, result.to_tol, result.result.evals, result.result.status_step, settings.tol, style
        )
        chart(evals, "evaluations-to-tolerance", "second_evals")
    else:
        st.info(
            f"{ls.title} has no minimum, so there is no tolerance to reach and no total to compare: "
            "every run either stops on the saddle or slides off downhill (see the status column)."
        )
st.markdown(
    "Per step, gradient descent asks for one gradient, Newton for one gradient and one Hessian, BFGS and "
    "conjugate gradient for one gradient plus the function values of their line search. Fewer steps do "
    "not always mean less work: compare the totals. In n dimensions a Hessian costs about n gradients, so "
    "the bars favour Newton far more in 2D than they would for a network with millions of weights."
)

# --- saddles ------------------------------------------------------------------------------------
st.header("Newton is attracted to saddles")
st.markdown(
    "Newton's step −H⁻¹g goes to the stationary point of the quadratic model, and at a saddle that "
    "point is the saddle itself. On f = x² − y² the model is exact: undamped Newton lands on (0, 0) in "
    "one step and stops there (**stalled**), although the loss falls without bound along y. "
    "Saddle-free Newton uses |H| = V|Λ|Vᵀ, which flips the negative curvature so the step goes downhill; "
    "gradient descent follows −g and also escapes. Damping λ smaller than the negative curvature's size "
    "(2 here) leaves H + λI indefinite, and the y step overshoots back and forth instead."
)
s1, s2 = side_by_side()
with s1:
    sl = result.saddle_landscape
    sfig = contour_figure(
        sl,
        compute.landscape_grid(sl),
        result.saddle,
        list(result.saddle_labels),
        style,
        starts=[SADDLE_START],
        clickable=False,
        title=f"{sl.title}: from {SADDLE_START}, {SADDLE_STEPS} steps",
    )
    chart(sfig, "newton-saddle", "second_saddle")
with s2:
    st.latex(r"f = x^2 - y^2,\quad H = \begin{pmatrix} 2 & 0 \\ 0 & -2 \end{pmatrix}")
    st.latex(r"p - H^{-1}\nabla f(p) = (x, y) - (x, y) = (0, 0)")
    st.latex(r"p - |H|^{-1}\nabla f(p) = (x, y) - (x, -y) = (0, 2y)")
lesson.table(
    pd.DataFrame(result.saddle_table()), {"final x": "{:.3g}", "final y": "{:.3g}", "distance to saddle": "{:.3g}"}
)

runs = tuple(
    spec(cfg.optimizer.kind, label=cfg.label, **cfg.optimizer.to_dict())
    for cfg in (method_config(n, settings, result.gd_lr) for n in result.names)
)
open_as_race(lesson_scene(settings.landscape, runs, result.start, settings.steps, tol=settings.tol))
