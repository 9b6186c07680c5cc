"""Figures of the learning-rate schedules lesson: the rate ``lr(t)`` of each schedule, in one plot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures.contour import f32
from figures.style import DASHES, FigureStyle, legend_names, run_colors

Array = np.ndarray
MAX_LR_POINTS = 600  # per curve


def lr_figure(
    updates: Array,
    lr: Array,
    labels: Sequence[str],
    style: FigureStyle | None = None,
    log_y: bool = False,
    max_points: int = MAX_LR_POINTS,
) -> go.Figure:
    """The learning rate ``lr (C, T)`` of every schedule at updates ``updates (T,)``, one line each in
    one plot (the schedules' colours of the other charts), the legend under it: small panels side by
    side were 80 px wide on a phone. Long runs are thinned to ``max_points`` points per curve, keeping
    the first and last update and every point where the rate jumps (a step schedule stays a staircase)."""
    style = style or FigureStyle()
    lr = np.asarray(lr, dtype=float)
    colors = run_colors(len(labels))
    fig = go.Figure()
    for c, label in enumerate(labels):
        idx = _keep(lr[c], max_points)
        fig.add_trace(
            go.Scatter(
                x=np.asarray(updates)[idx].astype(np.int64),
                y=f32(lr[c, idx]),
                mode="lines",
                name=label,
                line=dict(color=colors[c], width=style.line_width, shape="hv", dash=DASHES[c % len(DASHES)]),
                hovertemplate=f"<b>{label}</b><br>update %{{x}}<br>lr %{{y:.4g}}<extra></extra>",
                meta=dict(role="lr", config=c),
            )
        )
    fig.update_layout(
        **style.layout(
            title=dict(text="Learning rate by update", x=0.01, xanchor="left"),
            xaxis=dict(title=dict(text="update t")),
            yaxis=dict(
                title=dict(text="learning rate" + (" (log)" if log_y else "")), type="log" if log_y else "linear"
            ),
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.8)),
        )
    )
    if log_y:
        fig.update_yaxes(exponentformat="power")
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
