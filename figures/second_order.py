"""Figures of the second-order lesson: oracle calls per step and in total to reach the tolerance, as
horizontal bars (the methods' names, "Gradient descent (lr 0.000478)", read along the bars' axis and
are wrapped there; upright bars turned them on a phone)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures.style import FigureStyle

Array = np.ndarray
KINDS = ("function values", "gradients", "Hessians")
KIND_COLORS = ("#E69F00", "#0072B2", "#D55E00")
LABEL_CHARS = 11  # a method's name wrapped at this many characters a line, left of its bars


def method_labels(labels: Sequence[str]) -> list[str]:
    """The methods' names wrapped into short lines (``<br>``), each name still distinct."""
    return ["<br>".join(textwrap.wrap(str(label), LABEL_CHARS, break_long_words=False)) for label in labels]


def _bars_layout(style: FigureStyle, names: Sequence[str], per_method: int, title: str, x_title: str) -> dict[str, Any]:
    """Layout of horizontal bars: the first method at the top, a band per method for ``per_method``
    bars and its wrapped name ``names`` (the figure grows with the methods, not the bars thinner), the
    legend under the plot in the kinds' order (stacked bars reversed it)."""
    bar_px = 16 if style.presentation else 11
    tick = style.font_size - 2
    lines = max((n.count("<br>") + 1 for n in names), default=1)
    band = max(per_method * bar_px + 14, round(lines * 1.3 * tick) + 8)
    layout = style.layout(
        title=dict(text=title, x=0.01, xanchor="left"),
        yaxis=dict(type="category", autorange="reversed", tickfont=dict(size=tick)),
        xaxis=dict(title=dict(text=x_title)),
        **style.legend_below(KINDS, height=max(160, len(names) * band) + 110),
    )
    layout["legend"]["traceorder"] = "normal"
    return layout


def cost_per_step_figure(labels: Sequence[str], per_step: Array, style: FigureStyle | None = None) -> go.Figure:
    """Grouped bars: average value, gradient and Hessian evaluations per step ``per_step (M, 3)``."""
    style = style or FigureStyle()
    per_step = np.nan_to_num(np.asarray(per_step, dtype=float), nan=0.0)
    fig = go.Figure()
    names = method_labels(labels)
    for j, (kind, color) in enumerate(zip(KINDS, KIND_COLORS, strict=True)):
        fig.add_trace(
            go.Bar(
                y=names,
                x=per_step[:, j],
                orientation="h",
                name=kind,
                marker=dict(color=color),
                text=[f"{v:.3g}" if v else "" for v in per_step[:, j]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}<br>{kind} per step: %{{x:.3g}}<extra></extra>",
                meta=dict(role="per_step", kind=kind),
            )
        )
    title = "Cost of one step (average evaluations per step)"
    layout = _bars_layout(style, names, 3, title, "evaluations per step")
    layout["xaxis"]["range"] = [0, float(per_step.max(initial=0.0)) * 1.15 or 1.0]  # room for the numbers
    fig.update_layout(**layout, barmode="group")
    return fig


def evals_to_tol_figure(
    labels: Sequence[str],
    to_tol: Array,
    totals: Array,
    steps_run: Sequence[int],
    tol: float,
    style: FigureStyle | None = None,
) -> go.Figure:
    """Stacked bars of the evaluations ``to_tol (M, 3)`` each method needed to come within ``tol`` of
    a minimum. A method that never did (row of -1) is drawn faded with what its whole run cost,
    ``totals (M, 3)``, and marked "not reached in N steps"."""
    style = style or FigureStyle()
    to_tol = np.asarray(to_tol)
    reached = to_tol[:, 0] >= 0
    shown = np.where(reached[:, None], to_tol, np.asarray(totals)).astype(float)
    opacity = np.where(reached, 1.0, 0.3).tolist()
    fig = go.Figure()
    names = method_labels(labels)
    for j, (kind, color) in enumerate(zip(KINDS, KIND_COLORS, strict=True)):
        fig.add_trace(
            go.Bar(
                y=names,
                x=shown[:, j],
                orientation="h",
                name=kind,
                marker=dict(color=color, opacity=opacity),
                hovertemplate=f"%{{y}}<br>{kind}: %{{x:.0f}}<extra></extra>",
                meta=dict(role="to_tol", kind=kind),
            )
        )
    total = shown.sum(axis=1)
    # a total beyond its bar's end; a run that never got there says so inside its faded bar
    notes = [
        dict(x=t, y=name, text=f" {t:.0f}", showarrow=False, xanchor="left", font=dict(size=style.font_size * 0.85))
        if ok
        else dict(
            x=0,
            y=name,
            text=f" not reached in {n} steps",
            showarrow=False,
            xanchor="left",
            font=dict(size=style.font_size * 0.85),
        )
        for name, t, ok, n in zip(names, total, reached, steps_run, strict=True)
    ]
    title = f"Evaluations to reach the tolerance ({tol:g})"
    layout = _bars_layout(style, names, 1, title, "evaluations (value + gradient + Hessian)")
    layout["xaxis"]["range"] = [0, float(total.max() if total.size else 1) * 1.2 or 1.0]
    fig.update_layout(**layout, barmode="stack", annotations=notes)
    return fig
