"""Figures of the Network lab: arrays in, ``go.Figure`` out (no Streamlit).

- ``fit_figure``: the data and each run's fitted curve at one step (1D regression);
- ``boundary_figure``: each run's decision regions at one step, with the training points (2D);
- ``loss_curves_figure``: train (solid) and test (dashed) loss per run, the early-stopping point
  (lowest test loss) marked;
- ``plane_figure``: the train and test loss over a plane through parameter space, side by side
  (log10, banded images drawn on the server by ``plane_image``, one colour scale) with every run's
  path projected on it, the shared start and each end marked;
- ``line_figure``: train and test loss along the line through two solutions;
- ``sharpness_gap_figure``: the batch-size experiment, sharpness against generalization gap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.grid import ContourLevels, LandscapeGrid
from figures.raster import band_image, data_uri
from figures.style import DASHES, MARK_COLOR, FigureStyle, legend_names, run_colors
from landscapes.base import Window

Array = np.ndarray
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MAX_POINTS = 400  # data points drawn per set


def _f32(x: Array) -> Array:
    """Plotted values as float32: half the payload, far finer than a pixel."""
    return np.asarray(x, dtype=np.float32)


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
        x=_f32(x_train[i, 0]), y=_f32(y_train[i, 0]), mode="markers", name="train", marker=dict(size=5, color="#999999")
    )
    fig.add_scatter(
        x=_f32(x_test[j, 0]),
        y=_f32(y_test[j, 0]),
        mode="markers",
        name="test",
        marker=dict(size=6, color="rgba(0,0,0,0)", line=dict(color="#555555", width=1)),
    )
    for r, (label, color) in enumerate(zip(labels, run_colors(len(labels)), strict=True)):
        fig.add_scatter(
            x=_f32(xs), y=_f32(curves[r]), mode="lines", name=label, line=dict(color=color, width=style.line_width)
        )
    lo, hi = np.nanmin(np.concatenate([y_train[:, 0], y_test[:, 0]])), np.nanmax(y_train)
    pad = 0.3 * (hi - lo + 1e-9)
    fig.update_layout(**style.layout(title=f"Fitted curves at step {step:,}", **style.legend_below(legend_names(fig))))
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


PLANE_COLORSCALE = [[0.0, "#fcfcfc"], [1.0, "#3c3c3c"]]  # low loss light, high loss dark: paths stay visible
PLANE_IMAGE_PX = 241  # pixels a side of the server-drawn surface
PLANE_LEVELS = 20  # bands (and level lines) of log10 loss


def _log_loss(z: Array) -> Array:
    """``log10`` of a loss grid; NaN where the loss is not finite or not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.where(np.isfinite(z) & (z > 0), z, np.nan))


def log_range(*surfaces: Array) -> tuple[float, float]:
    """The smallest and largest finite ``log10`` loss over ``surfaces`` (``(0, 1)`` if none; never empty)."""
    finite = np.concatenate([v[np.isfinite(v)] for v in map(_log_loss, surfaces)])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return lo, (hi if hi > lo else lo + 1.0)


def plane_image(
    a: Array, b: Array, z: Array, lo: float, hi: float, axis: str = "", px: int = PLANE_IMAGE_PX
) -> dict[str, Any]:
    """The loss ``z (len(b), len(a))`` on the plane as a layout image on axes ``x<axis>, y<axis>``:
    ``log10`` loss in ``PLANE_LEVELS`` bands from ``lo`` to ``hi`` with level lines between them, the
    grid resampled bilinearly to ``px`` pixels a side, a non-finite or non-positive loss drawn as
    the highest band. The browser only draws a picture: no contouring in JavaScript, and a few
    kilobytes instead of the grid."""
    logz = _log_loss(z)
    logz = np.where(np.isfinite(logz), logz, hi)
    fine_a, fine_b = np.linspace(a[0], a[-1], px), np.linspace(b[0], b[-1], px)
    rows = np.stack([np.interp(fine_a, a, row) for row in logz])  # (len(b), px)
    fine = np.stack([np.interp(fine_b, b, col) for col in rows.T], axis=1)  # (px, px)
    levels = ContourLevels(log=False, start=lo, end=hi, size=(hi - lo) / PLANE_LEVELS, title="log10 loss")
    window = Window(float(a[0]), float(a[-1]), float(b[0]), float(b[-1]))
    picture = LandscapeGrid(fine_a, fine_b, fine.astype(np.float32), window)
    return dict(
        source=data_uri(band_image(picture, levels, PLANE_COLORSCALE)),
        xref=f"x{axis}",
        yref=f"y{axis}",
        x=window.xmin,
        y=window.ymax,
        sizex=window.xmax - window.xmin,
        sizey=window.ymax - window.ymin,
        sizing="stretch",
        layer="below",
        name="loss surface",
    )


def _colorbar(a: Array, b: Array, lo: float, hi: float) -> go.Scatter:
    """A marker-less scatter that carries the surfaces' colourbar (``log10`` loss from ``lo`` to ``hi``)."""
    return go.Scatter(
        x=[float(a[0])],
        y=[float(b[0])],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        name="log10 loss",
        marker=dict(
            size=0.1,
            opacity=0,
            color=[lo],
            cmin=lo,
            cmax=hi,
            colorscale=PLANE_COLORSCALE,
            showscale=True,
            colorbar=dict(title=dict(text="log10 loss", side="right"), len=0.9, thickness=14),
        ),
        meta=dict(role="landscape", levels=[lo, hi, (hi - lo) / PLANE_LEVELS]),
    )


def plane_figure(
    a: Array,
    b: Array,
    surfaces: Sequence[tuple[str, Array]],
    coords: Array,
    labels: tuple[str, ...],
    title: str,
    style: FigureStyle,
    axis_titles: tuple[str, str] = ("a", "b"),
    z_range: tuple[float, float] | None = None,
) -> go.Figure:
    """One panel per ``(name, z (len(b), len(a)))`` of ``surfaces``, side by side in one chart:
    ``log10`` of the loss as a server-drawn banded image (``plane_image``) on one colour scale (from
    ``z_range``, else the surfaces' own ``log_range``: pass one range to draw train and test as two
    one-panel charts on the same scale), and each run's path ``coords (R, T, 2)`` (start at
    ``coords[:, 0]``, shared) as float32 lines. One panel has its legend and its colour bar under the
    plot (on a phone, at the side, they left the plot a third of the chart)."""
    n = len(surfaces)
    lo, hi = z_range or log_range(*(z for _, z in surfaces))
    fig = make_subplots(rows=1, cols=n, subplot_titles=[name for name, _ in surfaces], horizontal_spacing=0.08)
    fig.add_trace(_colorbar(a, b, lo, hi), row=1, col=1)
    coords = np.asarray(coords, dtype=np.float32)
    start = coords[0, 0]
    for k in range(n):
        for r, (label, color) in enumerate(zip(labels, run_colors(len(labels)), strict=True)):
            c = coords[r]
            fig.add_scatter(
                x=c[:, 0],
                y=c[:, 1],
                mode="lines",
                name=label,
                legendgroup=label,
                showlegend=k == 0,
                line=dict(color=color, width=style.line_width, dash=DASHES[r % len(DASHES)]),
                row=1,
                col=k + 1,
            )
            fig.add_scatter(
                x=c[-1:, 0],
                y=c[-1:, 1],
                mode="markers",
                showlegend=False,
                legendgroup=label,
                name=f"{label} end",
                marker=dict(size=style.mark_size * 0.8, color=color, line=dict(color=MARK_COLOR, width=1)),
                row=1,
                col=k + 1,
            )
        fig.add_scatter(
            x=[start[0]],
            y=[start[1]],
            mode="markers",
            name="shared start",
            legendgroup="start",
            showlegend=k == 0,
            marker=dict(symbol="x", size=style.mark_size, color=MARK_COLOR),
            row=1,
            col=k + 1,
        )
    images = [plane_image(a, b, z, lo, hi, "" if k == 0 else str(k + 1)) for k, (_, z) in enumerate(surfaces)]
    if n == 1:
        fig.update_layout(**style.layout(title=title, **style.legend_and_bar_below(legend_names(fig))), images=images)
        fig.data[0].marker.colorbar.update(style.bar_at_foot())
    else:
        fig.update_layout(
            **style.layout(title=title, legend=dict(orientation="h", y=-0.18, font=dict(size=style.font_size)))
        )
        fig.update_layout(margin=dict(b=90), images=images)
    fig.update_xaxes(title=axis_titles[0], range=[float(a[0]), float(a[-1])], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[float(b[0]), float(b[-1])], showgrid=False, zeroline=False)
    fig.update_yaxes(title=axis_titles[1], row=1, col=1)
    return fig


def line_figure(alphas: Array, train: Array, test: Array, names: tuple[str, str], style: FigureStyle) -> go.Figure:
    """Train and test loss along ``(1 - alpha) theta_a + alpha theta_b``."""
    fig = go.Figure()
    fig.add_scatter(
        x=_f32(alphas), y=_f32(train), mode="lines", name="train", line=dict(color="#0072B2", width=style.line_width)
    )
    fig.add_scatter(
        x=_f32(alphas),
        y=_f32(test),
        mode="lines",
        name="test",
        line=dict(color="#D55E00", width=style.line_width, dash="dash"),
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
