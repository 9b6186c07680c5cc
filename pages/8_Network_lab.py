"""Network lab: small MLPs trained by the race's optimizers from one shared start, on shared planes."""

from __future__ import annotations

import dataclasses

import streamlit as st

st.set_page_config(layout="wide", page_title="Network lab")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import plotly.graph_objects as go  # noqa: E402

from figures.network import (  # noqa: E402
    boundary_figure,
    fit_figure,
    line_figure,
    log_range,
    loss_curves_figure,
    plane_figure,
    sharpness_gap_figure,
)
from figures.style import fit_title  # noqa: E402
from networks.batch_size import batch_label  # noqa: E402
from networks.data import DATASETS  # noqa: E402
from networks.init import SCHEMES  # noqa: E402
from networks.lab import (  # noqa: E402
    OPTIMIZERS,
    PLANE_TITLES,
    PLANES,
    PRESETS,
    LabResult,
    LabSettings,
    fitted_runs,
    lab,
)
from networks.mlp import ACTIVATIONS  # noqa: E402
from optimizers import optimizer_class  # noqa: E402
from ui import lesson, page  # noqa: E402
from ui.charts import side_by_side  # noqa: E402
from ui.downloads import figure_downloads  # noqa: E402
from ui.progress import progress_bar  # noqa: E402

KEY = "netlab"
S = LabSettings
VIEWS = (
    "The loss landscape on a plane",
    "Loss curves",
    "Between two solutions",
    "Sharp vs flat: the batch-size experiment",
)
VIEW_KEY = "netlab_view"  # the open tab of the views at the bottom (only that one is drawn)
FIT_PRESENTING = 300  # px: the fit chart's height presenting (``lesson.PRESENTING_HEIGHT`` is 440)
FIGURES: dict[str, go.Figure] = {}  # this run's figures by file name, for the downloads at the end


def chart(fig: go.Figure, name: str, key: str) -> None:
    """Show ``fig`` (Plotly's own colours, its title wrapped to fit a phone) under ``key``; its
    downloads are offered at the end of the page, behind a toggle (fifteen buttons on every rerun
    cost the browser time)."""
    st.plotly_chart(fit_title(fig, page.presentation_requested()), theme=None, key=key)
    FIGURES[name] = fig


@st.cache_data(max_entries=16, show_spinner=False)
def run_lab(settings: LabSettings) -> LabResult:
    return lab(settings)


@st.cache_data(max_entries=16, show_spinner=False)
def lab_figures(settings: LabSettings, presentation: bool, axes: tuple[str, str]) -> dict[str, go.Figure]:
    """The loss curves, the plane and the line of ``settings``' (cached) result: built once per
    result, not on every rerun (the plane's pictures and Plotly's validation cost server time)."""
    result, style = run_lab(settings), lesson.figure_style(presentation)
    tr, labels, (a_run, b_run) = result.training, result.labels, settings.pair
    surfaces = (("train loss", result.surface_train), ("test loss", result.surface_test))
    plane = PLANE_TITLES[settings.plane]
    z_range = log_range(result.surface_train, result.surface_test)  # one colour scale for both
    planes = {}  # train and test as two charts: side by side, or stacked on a phone
    for name, z in surfaces:
        title = f"{name.capitalize()} on the plane ({plane})"
        planes[f"network-plane-{name.split()[0]}"] = plane_figure(
            result.axis_a, result.axis_b, [(name, z)], result.coords, labels, title, style, axes, z_range
        )
    return {
        "network-loss": loss_curves_figure(tr.record_steps, tr.train_loss, tr.test_loss, labels, style),
        **planes,
        "network-line": line_figure(
            result.line_alphas, result.line_train, result.line_test, (labels[a_run], labels[b_run]), style
        ),
    }


def load_preset() -> None:
    """``on_click`` of the preset button: every setting to the preset's (the rest to defaults)."""
    chosen = LabSettings(**PRESETS[st.session_state["netlab_preset"]])
    for f in dataclasses.fields(chosen):
        st.session_state[f"{KEY}.{f.name}"] = getattr(chosen, f.name)
    show_experiment()


def show_experiment() -> None:
    """Open the experiment's tab when the experiment is switched on (by its toggle or a preset)."""
    if st.session_state.get(f"{KEY}.experiment"):
        st.session_state[VIEW_KEY] = VIEWS[3]


def keep_settings_state() -> None:
    """Keep every setting in session state while its widget is not drawn (a closed panel, an
    unused optimizer's learning rate, the experiment's settings while it is off): Streamlit drops
    the value of a widget that was not drawn in a run unless the script set it, so each one is set
    to itself first (Streamlit's documented way to keep widget state)."""
    ss = st.session_state
    for k in [k for k in ss if isinstance(k, str) and k.startswith(f"{KEY}.")]:
        ss[k] = ss[k]


lesson.start_page(S, KEY)
keep_settings_state()
# fewer widgets drawn at once: the browser pays for every one on every rerun
with st.sidebar:
    st.selectbox("Preset", list(PRESETS), key="netlab_preset")
    st.button("Load preset", on_click=load_preset, key="netlab_load")
    st.header("Data")
    lesson.choice(S, KEY, "dataset", "Dataset", list(DATASETS))
    lesson.number(S, KEY, "n", "Examples (train + test)")
    lesson.number(S, KEY, "noise", "Noise", help="sine: σ of y; moons, circles, spirals: σ of x; xor: share flipped")
    st.header("Network")
    lesson.number(S, KEY, "layers", "Hidden layers")
    lesson.number(S, KEY, "width", "Width")
    lesson.choice(S, KEY, "activation", "Activation", list(ACTIVATIONS))
    lesson.choice(S, KEY, "init", "Initialization", list(SCHEMES))
    st.header("Optimizers")
    for kind in OPTIMIZERS:
        left, right = st.columns([1, 1])
        with left:
            used = lesson.toggle(S, KEY, f"use_{kind}", optimizer_class(kind).title)
        if used:  # an unused optimizer's learning rate is kept, not drawn
            with right:
                lesson.number(S, KEY, f"lr_{kind}", "learning rate", label_visibility="collapsed", format="%g")
    lesson.number(S, KEY, "batch_size", "Batch size (0 = full batch)")
    lesson.number(S, KEY, "steps", "Steps")
    st.header("Landscape")
    lesson.choice(S, KEY, "plane", "Plane", list(PLANES), format_func=PLANE_TITLES.get)
    runs_help = "runs are numbered in the order of the optimizers chosen above, from 1"
    lesson.number(S, KEY, "run_a", "First run (random plane's centre; the line's start)", help=runs_help)
    lesson.number(S, KEY, "run_b", "Second run", help=runs_help)
    more = st.expander(
        "More: test share, seeds, initialization scale, surface grid, power iterations",
        key="netlab_more_open",
        on_change="rerun",
    )
    if more.open:  # a closed panel draws nothing; its values are kept (keep_settings_state)
        with more:
            lesson.number(S, KEY, "test_fraction", "Test fraction")
            lesson.number(S, KEY, "data_seed", "Data seed")
            lesson.number(S, KEY, "init_scale", "Initialization scale", help="1 = the scheme; far from 1: a bad start")
            lesson.number(S, KEY, "seed", "Initialization seed")
            lesson.number(S, KEY, "surface_n", "Surface grid (points per side)")
            lesson.number(S, KEY, "sharp_iters", "Power iterations (sharpness)")
    st.header("Batch-size experiment")
    if lesson.toggle(S, KEY, "experiment", "Run the batch-size experiment", on_change=show_experiment):
        lesson.text(S, KEY, "bx_batches", "Batch sizes (comma separated; full = all)")
        lesson.number(S, KEY, "bx_lr", "SGD learning rate", format="%g")
        lesson.number(S, KEY, "bx_seeds", "Seeds per batch size")
        lesson.number(S, KEY, "bx_steps", "Steps")
settings = lesson.finish_settings(S, KEY)

st.title("Network lab")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "A small neural network (a multilayer perceptron) trained by several optimizers **from the same "
        "initialization** on the same data, all at once: the race's optimizers, with PyTorch's arithmetic, "
        "now on every weight of a network instead of two coordinates. Its loss landscape can only be seen on a "
        "slice: a plane through parameter space, one plane shared by every optimizer so their paths can be compared."
    )

with progress_bar():
    result = page.run_or_stop(run_lab, settings)
style = lesson.figure_style()
tr, data, labels = result.training, result.data, result.labels
arch = settings.arch
full = settings.batch_size == 0 or settings.batch_size >= len(data.x_train)
st.caption(
    f"Network {' → '.join(map(str, arch.sizes))} ({arch.activation}), {arch.n_params:,} parameters; "
    f"{len(data.x_train):,} training and {len(data.x_test):,} test examples; "
    f"{'full batch' if full else f'batches of {settings.batch_size}'}, {settings.steps:,} steps "
    f"({settings.steps / (1 if full else len(data.x_train) // settings.batch_size):,.1f} epochs of "
    f"{1 if full else len(data.x_train) // settings.batch_size} steps)."
)


# --- the fit -------------------------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def fit_chart(settings: LabSettings, presentation: bool, k: int) -> tuple[str, go.Figure] | None:
    """The fitted curves (1D data) or decision regions (2D) at recorded frame ``k``, with their file
    name; ``None`` for data with more features. Built once per step and result, then cached."""
    # presenting, lower: under the title and the step slider its plot ends inside a 1280x720 screen
    result, style = run_lab(settings), lesson.figure_style(presentation, height=FIT_PRESENTING)
    data, step = result.data, int(result.training.record_steps[result.frames[k]])
    if data.d_in == 1:
        return "network-fit", fit_figure(
            result.grid[0], result.predictions[:, k], data.x_train, data.y_train, data.x_test, data.y_test,
            result.labels, step, style,
        )  # fmt: skip
    if data.d_in == 2:
        return "network-boundaries", boundary_figure(
            result.grid[0], result.grid[1], result.predictions[:, k], data.x_train, data.y_train, data.n_out,
            result.labels, step, style,
        )  # fmt: skip
    return None


@st.fragment
def fit_section(settings: LabSettings, stops: list[int], presentation: bool) -> None:
    """The step slider and the fit at that step: moving the slider reruns only this part."""
    st.select_slider("Step", stops, value=stops[-1], key="netlab_view_step")
    step = st.session_state.get("netlab_view_step", stops[-1])
    k = stops.index(step) if step in stops else len(stops) - 1
    named = fit_chart(settings, presentation, k)
    if named is None:
        st.info("Digits have 64 features: no curve or boundary to draw; see the accuracies in the table below.")
    else:
        chart(named[1], named[0], "netlab_fit")


st.header("What each optimizer learned")
fit_section(settings, [int(tr.record_steps[f]) for f in result.frames], style.presentation)

st.header("Results")
axes = {
    "pca": ("PC 1 (parameter distance)", "PC 2"),
    "random": ("direction 1", "direction 2"),
    "ends": ("toward " + labels[settings.pair[0]], "orthogonal, toward " + labels[settings.pair[1]]),
}[settings.plane]
figs = lab_figures(settings, style.presentation, axes)
best = np.nanargmin(np.where(np.isfinite(tr.test_loss), tr.test_loss, np.inf), axis=1)
summary = pd.DataFrame(
    {
        "run": labels,
        "final train loss": tr.train_loss[:, -1],
        "final test loss": tr.test_loss[:, -1],
        "lowest test loss": tr.test_loss[np.arange(len(labels)), best],
        "at step (early stop)": tr.record_steps[best],
        "sharpness (top Hessian eigenvalue)": result.sharpness,
    }
)
if result.accuracy.size:
    summary["train accuracy"] = result.accuracy[:, 0]
    summary["test accuracy"] = result.accuracy[:, 1]
st.dataframe(summary, hide_index=True, width="stretch")
if not style.presentation:  # on a projector, no export clutter
    st.download_button(
        "Results table (CSV)", summary.to_csv(index=False), file_name="network-lab.csv", mime="text/csv",
        key="netlab_dl_table", on_click="ignore",
    )  # fmt: skip
st.caption(
    "Sharpness: the largest eigenvalue of the training loss's Hessian at each run's end, by "
    f"{settings.sharp_iters} power iterations on exact Hessian-vector products (forward-over-backward "
    "differentiation, no finite differences). Last relative change of the estimate: "
    + ", ".join(f"{label} {c:.1e}" for label, c in zip(labels, result.sharp_change, strict=True))
    + "."
)

# --- the views below: one drawn at a time (a closed tab draws nothing) ------------------------------
plane_tab, loss_tab, line_tab, bx_tab = st.tabs(VIEWS, key=VIEW_KEY, on_change="rerun")
a_run, b_run = settings.pair
if plane_tab.open:
    with plane_tab:
        if settings.plane == "pca":
            e1, e2 = (*result.plane.explained, 0.0, 0.0)[:2]
            what = (
                f"The plane through the shared start that best fits every run's path together (PCA of the "
                f"displacements from the start): its two directions keep {e1:.0%} and {e2:.0%} of their squared "
                "length, so paths drawn on it are close to the real ones when the sum is near 100%."
            )
            left_out = [label for label, ok in zip(labels, fitted_runs(tr), strict=True) if not ok]
            if left_out:
                what += f" Left out of the fit as diverged (their training loss blew up): {', '.join(left_out)}."
        elif settings.plane == "random":
            what = (
                f"Two random directions around {labels[a_run]}'s end, filter-normalized as in Li et al. (2018): each "
                "neuron's incoming weights in a direction have the norm of that neuron's weights, so the scale "
                "matches the network's (biases are not moved). Paths are projected by least squares; far from the "
                "centre they may lie well off the plane."
            )
        else:
            what = (
                f"The plane through the shared start and the ends of {labels[a_run]} and {labels[b_run]} "
                "(orthonormal axes in parameter distance): those three points lie exactly on it."
            )
        st.markdown(what)
        for name, cell in zip(("train", "test"), side_by_side(), strict=True):  # one column on a phone
            with cell:
                chart(figs[f"network-plane-{name}"], f"network-plane-{name}", f"netlab_plane_{name}")
if loss_tab.open:
    with loss_tab:
        chart(figs["network-loss"], "network-loss", "netlab_loss")
if line_tab.open:
    with line_tab:
        chart(figs["network-line"], "network-line", "netlab_line")
        st.markdown(
            "The loss on the straight line through two runs' end points (Goodfellow et al. 2015), and half as "
            "far again beyond each end (Keskar et al. 2016, fig. 3). A bump between them means two different "
            "minima; a flat valley, one connected basin."
        )
if bx_tab.open:
    with bx_tab:
        ex = result.experiment
        if ex is None:
            st.markdown(
                "Keskar et al. (2016) found that large batches reach **sharper** minima that generalize worse. "
                "Switch on *Run the batch-size experiment* in the sidebar (or load its preset) to measure it here: "
                "the same initialization trained by SGD with several batch sizes over several seeds."
            )
        else:
            groups = {int(b): batch_label(int(b)) for b in dict.fromkeys(ex.batch.tolist())}
            chart(sharpness_gap_figure(ex.sharpness, ex.gap, ex.batch, groups, style), "sharpness-vs-gap", "netlab_bx")
            table = pd.DataFrame(ex.rows())
            medians = table.groupby("batch", sort=False)[["train loss", "test loss", "gap", "sharpness"]].median()
            st.dataframe(medians, width="stretch")
            st.caption(
                f"Medians over {settings.bx_seeds} seeds, SGD with learning rate {settings.bx_lr:g}, "
                f"{settings.bx_steps:,} steps each. Rank correlation of sharpness and gap over all runs "
                f"(Spearman): {ex.spearman:+.2f}. Whether larger batches end sharper here is what the numbers "
                "say, not a given. The seed picks the minibatches, so the full batch's seeds are one run."
            )
            if not style.presentation:
                st.download_button(
                    "Every run (CSV)", table.to_csv(index=False), file_name="batch-size-experiment.csv",
                    mime="text/csv", key="netlab_dl_bx", on_click="ignore",
                )  # fmt: skip

if not style.presentation and st.toggle(
    "Download figures (PNG for slides, SVG, interactive HTML)", key="netlab_show_downloads"
):
    for name, fig in FIGURES.items():
        st.markdown(f"**{name}**")
        figure_downloads(fig, name, key=f"dl_{name}")
