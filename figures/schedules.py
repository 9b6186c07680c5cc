"""Figures of the learning-rate schedules lesson: the rate ``lr(t)`` of each schedule, side by side."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures.contour import f32
from figures.style import FigureStyle, run_colors

Array = np.ndarray
MAX_LR_POINTS = 600  # per curve


def lr_figure(
    updates: Array,
    lr: Array,
    labels: Sequence[str],
    style: FigureStyle | None = None,
    cols: int = 3,
    log_y: bool = False,
    max_points: int = MAX_LR_POINTS,
) -> go.Figure:
    """One small panel per schedule: the learning rate ``lr (C, T)`` at updates ``updates (T,)``,
    sharing both axes so the panels compare at a glance. Long runs are thinned to ``max_points``
    points per curve, keeping the first and last update and every point where the rate jumps
    (a step schedule stays a staircase)."""
    style = style or FigureStyle()
    lr = np.asarray(lr, dtype=float)
    C = len(labels)
    cols = max(1, min(cols, C))
    rows = math.ceil(C / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=list(labels),
        horizontal_spacing=0.04,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )
    colors = run_colors(C)
    for c, label in enumerate(labels):
        idx = _keep(lr[c], max_points)
        fig.add_trace(
            go.Scatter(
                x=np.asarray(updates)[idx].astype(np.int64),
                y=f32(lr[c, idx]),
                mode="lines",
                name=label,
                line=dict(color=colors[c], width=style.line_width, shape="hv"),
                showlegend=False,
                hovertemplate=f"<b>{label}</b><br>update %{{x}}<br>lr %{{y:.4g}}<extra></extra>",
                meta=dict(role="lr", config=c),
            ),
            row=c // cols + 1,
            col=c % cols + 1,
        )
    fig.update_yaxes(type="log" if log_y else "linear", exponentformat="power")
    fig.update_yaxes(title_text="learning rate" + (" (log)" if log_y else ""), col=1)
    fig.update_xaxes(title_text="update t", row=rows)
    fig.update_annotations(font_size=style.font_size)
    fig.update_layout(
        **style.layout(
            title=dict(text="Learning rate by update", x=0.01, xanchor="left"),
            height=int(style.fig_height * (0.45 + 0.3 * rows)),
            showlegend=False,
        )
    )
    return fig


def _keep(y: Array, max_points: int) -> Array:
    """Indices of ``y`` to draw: evenly spread plus both sides of every jump (at most ``max_points``
    evenly spread ones; jumps are few)."""
    n = y.size
    if n <= max_points:
        return np.arange(n)
    even = np.round(np.linspace(0, n - 1, max_points)).astype(np.int64)
    d = np.abs(np.diff(y))
    scale = np.abs(y).max() or 1.0
    jumps = np.flatnonzero(d > 1e-3 * scale)
    jumps = jumps[d[jumps] > 10 * np.median(d)] if jumps.size else jumps
    if jumps.size > max_points:  # a smooth stretch, not a few jumps
        jumps = jumps[:0]
    return np.unique(np.concatenate([even, jumps, jumps + 1]))
