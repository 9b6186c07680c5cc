"""The classroom's projector: every submitted path on the contour, and the spread of chosen
learning rates. Arrays and plain strings in, ``go.Figure`` out."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from figures.contour import contour_figure
from figures.grid import LandscapeGrid
from figures.style import FigureStyle, run_colors
from landscapes.protocol import LandscapeLike

MAX_PATHS = 400  # paths drawn at most (the newest)


class PathLine(NamedTuple):
    """One submission to draw: its optimizer, its path ``(K, 2)`` and its label (plain text)."""

    optimizer: str
    path: np.ndarray
    label: str


def optimizer_colors(optimizers: Sequence[str]) -> dict[str, str]:
    """A fixed colour per optimizer name (sorted), the same in every figure of the room."""
    names = sorted(set(optimizers))
    return dict(zip(names, run_colors(len(names)), strict=True))


def projector_figure(
    landscape: LandscapeLike,
    grid: LandscapeGrid,
    lines: Sequence[PathLine],
    style: FigureStyle | None = None,
    title: str = "",
) -> go.Figure:
    """The contour with every path: one WebGL trace per optimizer (paths joined by gaps), thin and
    half transparent so hundreds stay readable; the start of each path marked."""
    style = style or FigureStyle()
    fig = contour_figure(landscape, grid, clickable=False, style=style, title=title or landscape.title)
    lines = list(lines)[-MAX_PATHS:]
    colors = optimizer_colors([ln.optimizer for ln in lines])
    for name, color in colors.items():
        mine = [ln for ln in lines if ln.optimizer == name and len(ln.path)]
        if not mine:
            continue
        xs, ys, text = [], [], []
        for ln in mine:
            p = np.asarray(ln.path, dtype=float).reshape(-1, 2)
            xs += [*p[:, 0], None]
            ys += [*p[:, 1], None]
            text += [html.escape(ln.label, quote=False)] * len(p) + [""]
        fig.add_trace(
            go.Scattergl(
                x=xs,
                y=ys,
                mode="lines",
                line=dict(width=1.2, color=color),
                opacity=0.6,
                name=f"{html.escape(name)} ({len(mine)})",
                text=text,
                hovertemplate="%{text}<extra></extra>",
                meta=dict(role="submissions", optimizer=name),
            )
        )
    return fig


def lr_spread_figure(optimizers: Sequence[str], lrs: Sequence[float], style: FigureStyle | None = None) -> go.Figure:
    """Every chosen learning rate as a dot per optimizer (log axis), with the box of each."""
    style = style or FigureStyle()
    colors = optimizer_colors(optimizers)
    fig = go.Figure()
    opt_arr, lr_arr = np.asarray(optimizers, dtype=object), np.asarray(lrs, dtype=float)
    for name, color in colors.items():
        fig.add_trace(
            go.Box(
                x=lr_arr[opt_arr == name],
                name=html.escape(name),
                orientation="h",
                boxpoints="all",
                jitter=0.5,
                pointpos=0,
                marker=dict(color=color, size=6, opacity=0.7),
                line=dict(color=color),
                hovertemplate="lr=%{x:.3g}<extra></extra>",
            )
        )
    fig.update_layout(
        **style.layout(
            title=dict(text="Learning rates chosen", x=0.01, xanchor="left"),
            xaxis=dict(type="log", title=dict(text="learning rate")),
            showlegend=False,
            height=max(220, 60 + 45 * len(colors)),
        )
    )
    return fig
