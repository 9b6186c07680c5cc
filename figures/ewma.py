"""Figures of the EWMA lesson: the noisy series with its averages (bias-corrected solid, raw dashed)
and the weights ``(1 - beta) beta^k`` each average gives to a sample ``k`` days back."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from analysis.ewma import EwmaLesson, weights
from figures.contour import f32
from figures.style import MARK_COLOR, FigureStyle, legend_names, run_colors

Array = np.ndarray
DATA_COLOR = "rgba(120,120,120,0.55)"


def beta_label(beta: float, window: float) -> str:
    """``"β = 0.9 (≈ 10 days)"``."""
    return f"β = {beta:g} (≈ {window:.3g} days)"


def series_figure(
    lesson: EwmaLesson, style: FigureStyle | None = None, last_day: int | None = None, title: str | None = None
) -> go.Figure:
    """The data (grey dots) and, per beta, the bias-corrected EWMA (solid) and the raw one (dashed, same
    colour): ``1 + 2 * B`` traces. ``last_day`` keeps only the first days (the start-up view)."""
    style = style or FigureStyle()
    n = lesson.days.size if last_day is None else max(1, min(int(last_day), lesson.days.size))
    x = lesson.days[:n]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=f32(lesson.theta[:n]),
            mode="markers",
            name="measured θ<sub>t</sub>",
            marker=dict(size=style.marker_size + (2 if n <= 100 else 0), color=DATA_COLOR),
            hovertemplate="day %{x}<br>θ = %{y:.3g}<extra></extra>",
            meta=dict(role="data"),
        )
    )
    colors = run_colors(len(lesson.betas))
    for i, (beta, window) in enumerate(zip(lesson.betas, lesson.windows, strict=True)):
        label = beta_label(float(beta), float(window))
        for role, values, dash, suffix in (
            ("corrected", lesson.corrected, "solid", "bias-corrected"),
            ("raw", lesson.raw, "dash", "raw"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=f32(values[i, :n]),
                    mode="lines",
                    name=f"{label}, {suffix}",
                    legendgroup=f"b{i}",
                    line=dict(color=colors[i], width=style.line_width, dash=dash),
                    hovertemplate=f"{label}, {suffix}<br>day %{{x}}<br>v = %{{y:.3g}}<extra></extra>",
                    meta=dict(role=role, beta=float(beta)),
                )
            )
    fig.update_layout(
        **style.layout(
            title=dict(
                text=title or "Daily temperature and its exponentially weighted averages", x=0.01, xanchor="left"
            ),
            xaxis=dict(title=dict(text="day t")),
            yaxis=dict(title=dict(text="temperature")),
            hovermode="closest",
            **style.legend_below(legend_names(fig)),
        )
    )
    return fig


def weights_figure(
    lesson: EwmaLesson, style: FigureStyle | None = None, k_max: int | None = None, log_y: bool = False
) -> go.Figure:
    """Per beta, the weight ``(1 - beta) beta^k`` of the sample ``k`` days back (one curve each) and a marker
    at the 1/e point ``k = -1/ln(beta)`` (close to ``1/(1 - beta)``), where the weight is ``(1-beta)/e``.
    ``log_y`` draws the weights on a log axis (straight lines of slope ``ln beta``)."""
    style = style or FigureStyle()
    windows = lesson.windows
    if k_max is None:
        k_max = int(min(max(3.0 * float(windows.max()), 10.0), lesson.days.size))
    k = np.arange(0, k_max + 1)
    w = weights(lesson.betas, k)
    colors = run_colors(len(lesson.betas))
    floor = float(np.min(1.0 - lesson.betas)) * 1e-3  # three decades below the smallest first weight
    y_range = [np.log10(floor), np.log10(float(np.max(1.0 - lesson.betas))) + 0.2]
    fig = go.Figure()
    for i, (beta, window, ke) in enumerate(zip(lesson.betas, windows, lesson.e_fold, strict=True)):
        label = beta_label(float(beta), float(window))
        fig.add_trace(
            go.Scatter(
                x=k,
                y=f32(w[i]),
                mode="lines+markers" if k_max <= 60 else "lines",
                name=label,
                legendgroup=f"b{i}",
                line=dict(color=colors[i], width=style.line_width),
                marker=dict(size=style.marker_size),
                hovertemplate=f"{label}<br>k = %{{x}} days back<br>weight %{{y:.3g}}<extra></extra>",
                meta=dict(role="weights", beta=float(beta)),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[float(ke)],
                y=[float((1.0 - beta) / np.e)],
                mode="markers",
                name=f"1/e point of β = {beta:g}",
                legendgroup=f"b{i}",
                showlegend=False,
                marker=dict(
                    size=style.mark_size, color=colors[i], symbol="diamond", line=dict(width=1, color=MARK_COLOR)
                ),
                hovertemplate=(
                    f"β = {beta:g}: weight down to 1/e of the first<br>at k = −1/ln β = %{{x:.3g}}"
                    f" (1/(1−β) = {window:.3g})<extra></extra>"
                ),
                meta=dict(role="e_point", beta=float(beta)),
            )
        )
    fig.update_layout(
        **style.layout(
            title=dict(
                text="Weights (1 − β) βᵏ of the sample k days back (◆ = 1/e point, k ≈ 1/(1 − β))",
                x=0.01,
                xanchor="left",
            ),
            xaxis=dict(title=dict(text="k (days back)")),
            yaxis=dict(title=dict(text="weight (log scale)"), type="log", exponentformat="power", range=y_range)
            if log_y
            else dict(title=dict(text="weight"), rangemode="tozero"),
            hovermode="closest",
            **style.legend_below(legend_names(fig)),
        )
    )
    return fig
