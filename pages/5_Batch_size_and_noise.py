"""Lesson: batch size and gradient noise (stochastic, minibatch and full-batch gradient descent)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Batch size and noise")

import pandas as pd  # noqa: E402

from analysis.batch import (  # noqa: E402
    BASIN_STARTS,
    LANDSCAPES,
    OPTIMIZERS,
    BatchLesson,
    BatchSettings,
    batch_lesson,
    short_label,
)
from figures.batch import band_figure, basin_figure, endpoints_figure, noise_figure  # noqa: E402
from figures.contour import contour_figure  # noqa: E402
from figures.grid import known_min_value  # noqa: E402
from optimizers.minibatch import n_examples  # noqa: E402
from scenes import spec  # noqa: E402
from ui import compute, lesson, page  # noqa: E402
from ui.charts import chart, side_by_side  # noqa: E402
from ui.race_link import lesson_scene, open_as_race  # noqa: E402
from ui.run_controls import run_controls  # noqa: E402

KEY = "batch"
S = BatchSettings


@st.cache_data(max_entries=16, show_spinner="Running every seed of every batch size…")
def run_lesson(settings: BatchSettings) -> BatchLesson:
    return batch_lesson(settings)


lesson.start_page(S, KEY)
with st.sidebar:
    run_controls(
        S,
        KEY,
        LANDSCAPES,
        OPTIMIZERS,
        sigma_label="Per-sample gradient noise σ",
        sigma_help="spread of one example's gradient around the true gradient",
        seeds_label="Seeds per batch size",
        seeds_help="the band shows the spread over these runs",
    )
    st.header("Batch sizes")
    lesson.text(S, KEY, "batches", "Batch sizes (comma separated)", help="whole numbers from 1 to 1,000,000")
    lesson.toggle(S, KEY, "full_batch", "Add full batch (no noise)")
    st.header("Sharp vs flat")
    lesson.text(S, KEY, "basin_batches", "Batch sizes (sharp/flat)")
    lesson.choice(S, KEY, "basin_start", "Runs start", list(BASIN_STARTS))
    lesson.number(S, KEY, "basin_lr", "Learning rate (sharp/flat)")
    lesson.number(S, KEY, "basin_sigma", "Noise σ (sharp/flat)")
    lesson.number(S, KEY, "basin_steps", "Steps (sharp/flat)")
    lesson.number(S, KEY, "basin_runs", "Runs per batch size (sharp/flat)")
settings = lesson.finish_settings(S, KEY)

st.title("Batch size and gradient noise")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "Gradient descent on a training set computes the loss gradient over **all** examples (full batch). "
        "Minibatch SGD averages the gradient over **B** random examples instead: an unbiased estimate whose "
        "noise shrinks as the batch grows. Stochastic gradient descent is the extreme B = 1."
    )
    st.latex(  # one equation a line: on one line they ran past an 800 px page's main column
        r"\begin{gathered}\hat g_t = \nabla f(p_{t-1}) + \frac{\sigma}{\sqrt{B}}\, z_t,\quad z_t \sim \mathcal N(0, I),"
        r"\\ p_t = p_{t-1} - \eta\, \hat g_t\end{gathered}"
    )

result = page.run_or_stop(run_lesson, settings)
if n_examples(result.landscape):  # a data landscape: the noise is the minibatch's own
    st.info(
        f"{result.landscape.title}: real minibatches. Each step averages the gradient over B of the "
        f"{n_examples(result.landscape)} training examples, drawn without replacement and reshuffled every "
        "epoch; σ is not used (the expected spread depends on the data, so the table leaves it blank)."
    )
    st.latex(r"\hat g_t = \frac{1}{B} \sum_{i \in \mathcal B_t} \nabla \ell_i(p_{t-1})")

style = lesson.figure_style()
lr, sigma = result.lr, result.sigma
if settings.suggested:
    st.caption(
        f"Suggested for {result.landscape.title}: learning rate {lr:g}, σ = {sigma:g}. "
        "Switch the suggestion off to set your own."
    )

# --- paths ---------------------------------------------------------------------------------------
st.header("One seed: the paths")
grid = compute.landscape_grid(result.landscape)
left, right = side_by_side()
with left:
    contour = contour_figure(
        result.landscape,
        grid,
        result.paths,
        list(result.labels),
        style,
        starts=result.start[None, :],
        clickable=False,
        title=f"{result.landscape.title}: one seed per batch size",
    )
    chart(contour, "batch-paths", "batch_contour")
with right:
    f_star = known_min_value(result.landscape)
    offset = f_star if f_star is not None else float(result.loss_band.min())
    bands = band_figure(
        result.result.steps,
        result.loss_band,
        result.labels,
        style,
        offset=offset,
        y_title="loss − f*" if f_star is not None else "loss − lowest seen",
        title=f"Loss over {settings.seeds} seeds: median and 10–90% band",
        what="loss − f*",
    )
    chart(bands, "batch-loss-band", "batch_bands")
st.markdown(
    "Each batch size ran from the same start with many seeds (every seed of every batch size in one "
    "vectorized call). The line is the median loss over seeds at each step, the shaded band the 10th to "
    "90th percentile. Full batch follows one exact path; small batches jitter around the minimum at a "
    "loss level that falls roughly like 1/B: with a constant learning rate the iterates settle into a "
    "cloud whose size is set by the noise."
)

# --- noise law -----------------------------------------------------------------------------------
st.header("The noise shrinks like 1/√B")
c1, c2 = side_by_side()
with c1:
    nfig = noise_figure(result.batches, result.noise_expected, result.noise_measured, style)
    chart(nfig, "batch-noise", "batch_noise")
with c2:
    table = pd.DataFrame(result.noise_table())
    table = table.merge(pd.DataFrame(result.final_loss_table()), on="batch")
    lesson.table(table)
    if settings.optimizer == "sgd":
        st.caption(
            "Measured: plain SGD's step gives the noise back, "
            r"n_t = (p_{t-1} − p_t)/η − ∇f(p_{t-1}); the table shows its RMS per coordinate over every "
            "step of every seed."
        )
    else:
        st.caption(
            "The measured spread needs plain SGD (its step is η times the noisy gradient); choose SGD to see it."
        )
st.latex(r"\operatorname{std}\Big(\tfrac{1}{B}\textstyle\sum_{i=1}^{B} g_i\Big) = \frac{\sigma}{\sqrt{B}}")

# --- sharp vs flat -------------------------------------------------------------------------------
st.header("Batch size matters: sharp vs flat minima")
st.markdown(
    "Keskar et al. (2016), *On Large-Batch Training for Deep Learning: Generalization Gap and Sharp "
    "Minima*: **large batches tend to converge to sharp minima**, small batches to flat ones, and flat "
    "minima tend to generalize better. On the landscape below two wells are almost equally deep: a narrow "
    "(sharp) one on the left and a wide (flat) one on the right. The noise of a small batch kicks a run "
    "out of the narrow well (a step of size η·σ/√B is large next to its width), while it barely stirs a "
    "run in the wide one. A run's basin is the minimum that noise-free gradient descent reaches from its "
    "final point."
)
b1, b2 = side_by_side()
with b1:
    bfig = basin_figure(
        [short_label(b) for b in result.basin_batches], result.basin_fractions, style, n_runs=settings.basin_runs
    )
    chart(bfig, "sharp-flat-fractions", "batch_basins")
with b2:
    sf_grid = compute.landscape_grid(result.basin_landscape)
    efig = endpoints_figure(
        result.basin_landscape, sf_grid, result.basin_final, result.basin_labels, style, starts=result.basin_starts
    )
    chart(efig, "sharp-flat-endpoints", "batch_endpoints")
fr = result.basin_fractions
st.caption(
    "Share in the sharp minimum: "
    + ", ".join(f"{label} {v:.0%}" for label, v in zip(result.basin_labels, fr[:, 0], strict=True))
    + "."
)
st.latex(  # the widths on a line of their own: on one line it ran past an 800 px page's main column
    r"\begin{gathered}f = \tfrac{k}{2}\lVert p\rVert^2 - e^{-\lVert p - c_s\rVert^2 / 2w_s^2}"
    r" - e^{-\lVert p - c_f\rVert^2 / 2w_f^2},\\ w_s = 0.2,\ w_f = 1\end{gathered}"
)

# --- open as a race ------------------------------------------------------------------------------
runs = tuple(
    spec(settings.optimizer, label=label, batch_size=b or 1_000_000, lr=lr)
    for b, label in zip(result.batches, result.labels, strict=True)
)
scene = lesson_scene(settings.landscape, runs, result.start, settings.steps, seed=settings.seed, noise_sigma=sigma)
open_as_race(scene, help="one seed per batch size on the race page (full batch as B = 1,000,000)")
