"""Figures of the Network lab: arrays in, ``go.Figure`` out (no Streamlit).

- ``fit_figure``: the data and each run's fitted curve at one step (1D regression);
- ``boundary_figure``: each run's decision regions at one step, with the training points (2D);
- ``loss_curves_figure``: train (solid) and test (dashed) loss per run, the early-stopping point
  (lowest test loss) marked;
- ``plane_figure``: the loss over a plane through parameter space (log10, filled contours) with
  every run's path projected on it, the shared start and each end marked;
- ``line_figure``: train and test loss along the line through two solutions;
- ``sharpness_gap_figure``: the batch-size experiment, sharpness against generalization gap.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.style import DASHES, MARK_COLOR, FigureStyle, run_colors

Array = np.ndarray
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MAX_POINTS = 400  # data points drawn per set


def _thin(n: int, limit: int = MAX_POINTS) -> Array:
    return np.arange(n) if n <= limit else np.round(np.linspace(0, n - 1, limit)).astype(int)


def fit_figure(
    xs: Array,
    curves: Array,
    x_train: Array,
    y_train: Array,
    x_test: Array,
    y_test: Array,
    labels: tuple[str, ...],
    step: int,
    style: FigureStyle,
) -> go.Figure:
    """The data (train filled, test hollow) and ``curves (R, len(xs))``: each run's fit at ``step``."""
    fig = go.Figure()
    i, j = _thin(len(x_train)), _thin(len(x_test))
    fig.add_scatter(
        x=x_train[i, 0], y=y_train[i, 0], mode="markers", name="train", marker=dict(size=5, color="#999999")
    )
    fig.add_scatter(
        x=x_test[j, 0],
        y=y_test[j, 0],
        mode="markers",
        name="test",
        marker=dict(size=6, color="rgba(0,0,0,0)", line=dict(color="#555555", width=1)),
    )
    for r, (label, color) in enumerate(zip(labels, run_colors(len(labels)), strict=True)):
        fig.add_scatter(x=xs, y=curves[r], mode="lines", name=label, line=dict(color=color, width=style.line_width))
    lo, hi = np.nanmin(np.concatenate([y_train[:, 0], y_test[:, 0]])), np.nanmax(y_train)
    pad = 0.3 * (hi - lo + 1e-9)
    fig.update_layout(**style.layout(title=f"Fitted curves at step {step:,}"))
    fig.update_xaxes(title="x (standardized)")
    fig.update_yaxes(title="y", range=[lo - pad, hi + pad])
    return fig


def boundary_figure(
    ga: Array,
    gb: Array,
    classes: Array,
    x_train: Array,
    y_train: Array,
    n_classes: int,
    labels: tuple[str, ...],
    step: int,
    style: FigureStyle,
) -> go.Figure:
    """One panel per run: its predicted class over the grid ``classes (R, len(gb), len(ga))``."""
    R = len(labels)
    cols = min(R, 3)
    rows = math.ceil(R / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=labels, horizontal_spacing=0.04, vertical_spacing=0.1)
    colors = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_classes)]
    scale = (
        [[k / max(n_classes - 1, 1), c] for k, c in enumerate(colors)]
        if n_classes > 1
        else [[0, colors[0]], [1, colors[0]]]
    )
    idx = _thin(len(x_train), 300)
    for r in range(R):
        row, col = r // cols + 1, r % cols + 1
        fig.add_heatmap(
            x=ga,
            y=gb,
            z=classes[r].astype(np.float32),
            zmin=0,
            zmax=max(n_classes - 1, 1),
            colorscale=scale,
            opacity=0.35,
            showscale=False,
            hoverinfo="skip",
            row=row,
            col=col,
        )
        fig.add_scatter(
            x=x_train[idx, 0],
            y=x_train[idx, 1],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(size=4, color=[colors[int(k)] for k in y_train[idx]], line=dict(width=0.5, color="white")),
            row=row,
            col=col,
        )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(
        **style.layout(title=f"Decision regions at step {step:,}", height=max(style.fig_height, 300 * rows))
    )
    return fig


def loss_curves_figure(
    steps: Array, train: Array, test: Array, labels: tuple[str, ...], style: FigureStyle
) -> go.Figure:
    """Train (solid) and test (dashed) loss ``(R, T)`` at ``steps (T,)``; a star at each run's lowest test loss."""
    fig = go.Figure()
    for r, (label, color) in enumerate(zip(labels, run_colors(len(labels)), strict=True)):
        fig.add_scatter(
            x=steps,
            y=train[r],
            mode="lines",
            name=f"{label} train",
            legendgroup=label,
            line=dict(color=color, width=style.line_width),
        )
        fig.add_scatter(
            x=steps,
            y=test[r],
            mode="lines",
            name=f"{label} test",
            legendgroup=label,
            line=dict(color=color, width=style.line_width, dash="dash"),
        )
        finite = np.isfinite(test[r])
        if finite.any():
            k = int(np.nanargmin(np.where(finite, test[r], np.nan)))
            fig.add_scatter(
                x=[steps[k]],
                y=[test[r, k]],
                mode="markers",
                legendgroup=label,
                showlegend=False,
                name=f"{label}: early stop",
                hovertemplate=f"{label}: lowest test loss at step %{{x}}<extra></extra>",
                marker=dict(symbol="star", size=style.mark_size, color=color, line=dict(color=MARK_COLOR, width=1)),
            )
    fig.update_layout(**style.layout(title="Train (solid) and test (dashed) loss; ★ early-stopping point"))
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="loss", type="log")
    return fig


def plane_figure(
    a: Array,
    b: Array,
    z: Array,
    coords: Array,
    labels: tuple[str, ...],
    title: str,
    style: FigureStyle,
    axis_titles: tuple[str, str] = ("a", "b"),
) -> go.Figure:
    """Filled contours of ``log10`` of the loss ``z (len(b), len(a))`` and each run's path
    ``coords (R, T, 2)`` (start at ``coords[:, 0]``, shared)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logz = np.log10(np.where(np.isfinite(z) & (z > 0), z, np.nan)).astype(np.float32)
    fig = go.Figure()
    fig.add_contour(
        x=a,
        y=b,
        z=logz,
        colorscale="Greys",
        reversescale=True,
        ncontours=25,
        line=dict(width=0.5),
        colorbar=dict(title="log10 loss"),
        hovertemplate="a %{x:.3g}, b %{y:.3g}: log10 loss %{z:.3f}<extra></extra>",
    )
    for r, (label, color) in enumerate(zip(labels, run_colors(len(labels)), strict=True)):
        c = coords[r]
        fig.add_scatter(
            x=c[:, 0],
            y=c[:, 1],
            mode="lines",
            name=label,
            line=dict(color=color, width=style.line_width, dash=DASHES[r % len(DASHES)]),
        )
        fig.add_scatter(
            x=c[-1:, 0],
            y=c[-1:, 1],
            mode="markers",
            showlegend=False,
            name=f"{label} end",
            marker=dict(size=style.mark_size * 0.8, color=color, line=dict(color=MARK_COLOR, width=1)),
        )
    start = coords[0, 0]
    fig.add_scatter(
        x=[start[0]],
        y=[start[1]],
        mode="markers",
        name="shared start",
        marker=dict(symbol="x", size=style.mark_size, color=MARK_COLOR),
    )
    fig.update_layout(
        **style.layout(title=title, legend=dict(orientation="h", y=-0.18, font=dict(size=style.font_size)))
    )
    fig.update_layout(margin=dict(b=90))
    fig.update_xaxes(title=axis_titles[0], range=[float(a[0]), float(a[-1])])
    fig.update_yaxes(title=axis_titles[1], range=[float(b[0]), float(b[-1])])
    return fig


def line_figure(alphas: Array, train: Array, test: Array, names: tuple[str, str], style: FigureStyle) -> go.Figure:
    """Train and test loss along ``(1 - alpha) theta_a + alpha theta_b``."""
    fig = go.Figure()
    fig.add_scatter(x=alphas, y=train, mode="lines", name="train", line=dict(color="#0072B2", width=style.line_width))
    fig.add_scatter(
        x=alphas, y=test, mode="lines", name="test", line=dict(color="#D55E00", width=style.line_width, dash="dash")
    )
    for x, name in ((0.0, names[0]), (1.0, names[1])):
        fig.add_vline(x=x, line=dict(color=MARK_COLOR, width=1, dash="dot"), annotation_text=name)
    fig.update_layout(**style.layout(title=f"Loss on the line from {names[0]}'s end (0) to {names[1]}'s (1)"))
    fig.update_xaxes(title="alpha")
    fig.update_yaxes(title="loss", type="log")
    return fig


def sharpness_gap_figure(
    sharpness: Array, gap: Array, groups: Array, group_labels: dict[int, str], style: FigureStyle
) -> go.Figure:
    """One marker per run: top Hessian eigenvalue (x, log) against test − train loss (y), by batch size."""
    fig = go.Figure()
    keys = list(group_labels)
    for k, color in zip(keys, run_colors(len(keys)), strict=True):
        m = groups == k
        fig.add_scatter(
            x=sharpness[m],
            y=gap[m],
            mode="markers",
            name=group_labels[k],
            marker=dict(size=style.mark_size * 0.8, color=color, line=dict(color=MARK_COLOR, width=1)),
        )
    fig.update_layout(**style.layout(title="Sharpness against generalization gap, one point per run"))
    fig.update_xaxes(title="top Hessian eigenvalue at the end", type="log")
    fig.update_yaxes(title="test loss − train loss")
    return fig
