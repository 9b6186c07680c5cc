"""Lesson: basins of attraction. A grid of start points, coloured by the minimum each run reaches,
for up to four optimizers side by side on the same landscape; with gradient noise, the share of
runs that end in each basin."""

from __future__ import annotations

import streamlit as st

st.set_page_config(layout="wide", page_title="Basins of attraction")

import pandas as pd  # noqa: E402

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from analysis.basins import LANDSCAPES, MAX_PANELS, NONE, SLOT_CHOICES, BasinResult, BasinSettings, compute_basins  # noqa: E402
from figures.basins import fractions_figure, panel_figure  # noqa: E402
from ui import lesson, page  # noqa: E402
from ui.charts import chart, side_by_side  # noqa: E402

KEY = "basins"
S = BasinSettings
PANEL_MIN = 320  # three panels side by side on a 1280 px projector, one column on a phone
GOOD = ("himmelblau", "six_hump_camel", "rastrigin", "sharp_flat")


@st.cache_data(max_entries=8, show_spinner=False)
def run_basins(settings: BasinSettings) -> BasinResult:
    return compute_basins(settings)


def kind_title(kind: str) -> str:
    return "—" if kind == NONE else optimizers.optimizer_class(kind).title


def landscape_title(name: str) -> str:
    mark = " ★" if name in GOOD else ""
    return landscapes.landscape_class(name).title + mark


lesson.start_page(S, KEY)
with st.sidebar:
    st.header("Landscape and grid")
    lesson.choice(
        S,
        KEY,
        "landscape",
        "Landscape",
        list(LANDSCAPES),
        format_func=landscape_title,
        help="★ good for this lesson: Himmelblau, six-hump camel, Rastrigin, sharp vs flat",
    )
    if landscapes.takes(st.session_state.get(f"{KEY}.landscape", S.landscape), "formula"):
        lesson.text(S, KEY, "formula", "f(x, y) =", help="Same syntax as on the race page; window -3..3.")
    lesson.number(S, KEY, "resolution", "Start points across", help="8 to 256 (the grid keeps square cells)")
    lesson.number(S, KEY, "zoom", "Zoom out", help="1 = the landscape's window; 2 = twice as wide and tall")
    lesson.number(S, KEY, "steps", "Steps")
    lesson.number(S, KEY, "tol", "Tolerance", help="a run that ends this close to a minimum counts as reaching it")
    st.header("Optimizers")
    for n in range(1, MAX_PANELS + 1):
        c1, c2 = st.columns([3, 2])
        lesson.choice(S, KEY, f"opt{n}", f"Panel {n}", list(SLOT_CHOICES), container=c1, format_func=kind_title)
        lesson.number(S, KEY, f"lr{n}", "learning rate", container=c2)
    st.header("Gradient noise")
    lesson.number(S, KEY, "noise_sigma", "Noise σ (per sample)", help="0 = exact gradients")
    lesson.number(S, KEY, "batch_size", "Batch size", help="noise std is σ / √B")
    lesson.number(S, KEY, "seed", "Seed")
settings = lesson.finish_settings(S, KEY)

st.title("Basins of attraction")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "Where a run ends depends on where it starts. Each pixel below is one run started there; its colour is the "
        "minimum it reached (the same colour in every panel). Black pixels diverged, grey ones left the window, light "
        "grey ones were still moving (or stuck) away from every minimum when the steps ran out. Each panel is one "
        "optimizer, run from every start at once."
    )

page.stop_on_problems(settings.problems())

ny, nx = settings.shape()
with st.spinner(f"Running {len(settings.panels())} x {nx * ny:,} runs x {settings.steps} steps…"):
    result = page.run_or_stop(run_basins, settings)

style = lesson.figure_style()
noise = f", noise σ = {settings.noise_sigma:g}, batch {settings.batch_size}" if settings.noise_sigma > 0 else ""
st.markdown(f"**Where runs from each start end**: {settings.landscape_obj().title}, {settings.steps} steps{noise}.")
for i, cell in enumerate(side_by_side(len(result.labels), PANEL_MIN)):  # one column on a phone
    with cell:
        chart(panel_figure(result, i, style), f"basins-{result.labels[i]}", f"basins_chart_{i}")
st.markdown("A run counts as reaching a minimum $m$ when it stopped there or ended within the tolerance of it:")
st.latex(  # one line each: on one line it ran past an 800 px page's main column
    r"\begin{gathered}\text{basin}(p_0) = \arg\min_m \lVert p_T - m \rVert"
    r"\\ \text{if}\quad \min_m \lVert p_T - m \rVert \le \text{tol},"
    r"\\ p_t = p_{t-1} - \eta\, \mathrm{update}(g_t)\end{gathered}"
)
st.markdown(
    "Plain gradient descent with a small step follows the gradient flow, so its basins are bounded by the ridges "
    "through the saddle points. Momentum carries runs over ridges and makes the basins interleave; adaptive "
    "methods rescale each coordinate and move the boundaries. Large steps break the picture altogether."
)

st.subheader("Share of runs per basin")
bars = fractions_figure(result, style)
left, right = side_by_side()
with left:
    chart(bars, "basin-shares", "basins_bars")
with right:
    table = pd.DataFrame(result.table()).set_index("optimizer")
    st.dataframe(table.style.format("{:.1%}"))
    if settings.noise_sigma > 0:
        st.caption(
            f"Gradient noise std σ/√B = {settings.noise().std:.4g}; every start draws its own noise "
            f"stream (seed {settings.seed}), the same one for each optimizer."
        )
    else:
        st.caption(
            "Add gradient noise (σ > 0) to see how a noisy, small-batch gradient shifts these shares: on "
            "'Sharp vs flat minimum' small batches escape the sharp well."
        )
