"""Figures of the second-order lesson: oracle calls per step and in total to reach the tolerance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures.style import FigureStyle

Array = np.ndarray
KINDS = ("function values", "gradients", "Hessians")
KIND_COLORS = ("#E69F00", "#0072B2", "#D55E00")


def cost_per_step_figure(labels: Sequence[str], per_step: Array, style: FigureStyle | None = None) -> go.Figure:
    """Grouped bars: average value, gradient and Hessian evaluations per step ``per_step (M, 3)``."""
    style = style or FigureStyle()
    per_step = np.nan_to_num(np.asarray(per_step, dtype=float), nan=0.0)
    fig = go.Figure()
    for j, (kind, color) in enumerate(zip(KINDS, KIND_COLORS, strict=True)):
        fig.add_trace(
            go.Bar(
                x=list(labels),
                y=per_step[:, j],
                name=kind,
                marker=dict(color=color),
                text=[f"{v:.3g}" if v else "" for v in per_step[:, j]],
                textposition="outside",
                hovertemplate=f"%{{x}}<br>{kind} per step: %{{y:.3g}}<extra></extra>",
                meta=dict(role="per_step", kind=kind),
            )
        )
    fig.update_layout(
        **style.layout(
            title=dict(text="Cost of one step (average evaluations per step)", x=0.01, xanchor="left"),
            barmode="group",
            xaxis=dict(type="category"),
            yaxis=dict(title=dict(text="evaluations per step")),
            legend=dict(orientation="h", yanchor="top", y=-0.3, x=0.0, font=dict(size=style.font_size)),
            height=int(style.fig_height * 0.85),
        )
    )
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
    for j, (kind, color) in enumerate(zip(KINDS, KIND_COLORS, strict=True)):
        fig.add_trace(
            go.Bar(
                x=list(labels),
                y=shown[:, j],
                name=kind,
                marker=dict(color=color, opacity=opacity),
                hovertemplate=f"%{{x}}<br>{kind}: %{{y:.0f}}<extra></extra>",
                meta=dict(role="to_tol", kind=kind),
            )
        )
    total = shown.sum(axis=1)
    notes = [
        dict(
            x=label,
            y=t,
            text=f"{t:.0f}" if ok else f"not<br>reached<br>({n} steps)",
            showarrow=False,
            yanchor="bottom",
            font=dict(size=style.font_size * 0.85),
        )
        for label, t, ok, n in zip(labels, total, reached, steps_run, strict=True)
    ]
    fig.update_layout(
        **style.layout(
            title=dict(text=f"Evaluations to reach the tolerance ({tol:g})", x=0.01, xanchor="left"),
            barmode="stack",
            xaxis=dict(type="category"),
            yaxis=dict(
                title=dict(text="evaluations (value + gradient + Hessian)"),
                range=[0, float(total.max() if total.size else 1) * 1.2 or 1.0],
            ),
            annotations=notes,
            legend=dict(orientation="h", yanchor="top", y=-0.3, x=0.0, font=dict(size=style.font_size)),
            height=int(style.fig_height * 0.85),
        )
    )
    return fig
