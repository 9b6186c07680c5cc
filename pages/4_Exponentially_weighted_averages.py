"""Lesson: exponentially weighted moving averages (EWMA), their effective window and bias correction."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Exponentially weighted averages")

import pandas as pd  # noqa: E402

from analysis.ewma import EwmaLesson, EwmaSettings, ewma_lesson  # noqa: E402
from figures.ewma import series_figure, weights_figure  # noqa: E402
from ui import lesson, page  # noqa: E402
from ui.charts import chart  # noqa: E402
from ui.widgets import stacked  # noqa: E402

KEY = "ewma"
S = EwmaSettings


@st.cache_data(max_entries=32, show_spinner=False)
def compute(settings: EwmaSettings) -> EwmaLesson:
    return ewma_lesson(settings)


lesson.start_page(S, KEY)
with st.sidebar:
    st.header("Average")
    lesson.number(S, KEY, "beta", "Your β", help="from 0 (no averaging) to 0.999; shown next to 0.5, 0.9 and 0.98")
    st.header("Data")
    lesson.number(S, KEY, "days", "Days", help="at most 1000")
    lesson.number(S, KEY, "mean", "Mean temperature")
    lesson.number(S, KEY, "amplitude", "Seasonal amplitude")
    lesson.number(S, KEY, "noise", "Day-to-day noise σ")
    lesson.number(S, KEY, "seed", "Random seed")
    st.header("View")
    lesson.number(S, KEY, "zoom", "Days in the start-up view")
    lesson.toggle(S, KEY, "log_weights", "Weights on a log axis")
settings = lesson.finish_settings(S, KEY)

st.title("Exponentially weighted averages")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "A noisy daily temperature: a seasonal curve plus random day-to-day noise. An **exponentially weighted "
        "moving average** smooths it while keeping only **one number** in memory, instead of a window of past "
        "values. Each day the average moves a fraction 1 − β of the way toward the new measurement:"
    )
    st.latex(r"v_0 = 0,\qquad v_t = \beta\, v_{t-1} + (1-\beta)\,\theta_t")

result = page.run_or_stop(compute, settings, what="computed")

style = lesson.figure_style()
fig = series_figure(result, style)
chart(fig, "ewma-series", "ewma_series")
st.markdown(
    "Larger β averages over more days: smoother, but **later** — the β = 0.98 curve lags the seasons by "
    "weeks. Smaller β follows the data closely, noise included. About **1/(1 − β)** days are averaged: "
    "β = 0.5 ≈ 2 days, 0.9 ≈ 10, 0.98 ≈ 50 (shown in the legend)."
)

# --- bias correction -----------------------------------------------------------------------------
st.header("The start-up bias and its correction")
st.markdown(
    "Starting from v₀ = 0 drags the first values toward 0: v₁ = (1 − β)·θ₁, only 2% of the first "
    "measurement for β = 0.98 (the dashed curves). Dividing by 1 − βᵗ fixes this exactly: the corrected "
    "first value **is** θ₁, and the correction fades as βᵗ → 0, after a few times 1/(1 − β) days. "
    "Adam applies the same correction to its moments."
)
st.latex(r"\hat v_t = \frac{v_t}{1-\beta^t}")
shown = min(settings.zoom, settings.days)
zoom = series_figure(
    result, style, last_day=shown, title=f"The first {shown} days: raw (dashed) vs bias-corrected (solid)"
)
chart(zoom, "ewma-start-up", "ewma_zoom")
table = pd.DataFrame(result.table())
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={c: st.column_config.NumberColumn(format="%.4g") for c in table.columns},
)
st.caption(
    "RMS vs season: the root-mean-square distance between the average and the noise-free seasonal "
    "curve over all days — noise left over for small β, lag for large β."
)

# --- weights ---------------------------------------------------------------------------------------
st.header("Why “exponentially weighted”")
st.markdown(
    "Unrolling the recursion shows that v_t is a weighted sum of all past measurements, with weights that "
    "decay geometrically with their age k. They add up to 1 − βᵗ, not 1: the missing βᵗ is the weight "
    "of v₀ = 0, which is exactly what bias correction divides out. The weight has fallen to 1/e of the "
    "newest one after k = −1/ln β ≈ 1/(1 − β) days (◆), since β^(1/(1−β)) ≈ 1/e."
)
st.latex(  # one equation a line: on one line they ran past an 800 px page's main column
    stacked(
        r"v_t = \sum_{k=0}^{t-1} (1-\beta)\,\beta^k\,\theta_{t-k},\qquad "
        r"\sum_{k=0}^{t-1} (1-\beta)\,\beta^k = 1-\beta^t,\qquad \beta^{1/(1-\beta)} \approx \frac{1}{e}"
    )
)
wfig = weights_figure(result, style, log_y=settings.log_weights)
chart(wfig, "ewma-weights", "ewma_weights")
st.markdown(
    "**In the optimizers.** Momentum keeps an average of gradients (PyTorch's buffer b = μ·b + g is an "
    "EWMA scaled by 1/(1 − μ)); RMSprop keeps an EWMA of g²; Adam keeps both, m with β₁ = 0.9 (≈ 10 steps) "
    "and v with β₂ = 0.999 (≈ 1000 steps), and bias-corrects them. The page *Inside the optimizer* shows "
    "them step by step."
)
