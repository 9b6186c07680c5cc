"""Figures of 'Inside the optimizer': the path up to a chosen step with arrows at the current point,
the optimizer's state over time, bias correction (m vs m̂, v vs v̂) and the effective step size.

Arrows are drawn with a common display length ``ARROW_FRACTION * min(window width, height)``
starting at the current point ``p_{t-1}``: they show directions only (their true lengths differ by
orders of magnitude: a gradient of 100 next to a step of 0.01); the legend gives the magnitudes.
Each arrow is a two-point line trace (meta ``role="arrow"``, ``kind`` = "gradient", "velocity" or
"step"; x/y = tail, tip) plus an annotation with an arrowhead at the tip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.internals import STATE_NAMES, Trace
from figures.contour import critical_traces, f32, landscape_layer
from figures.grid import LandscapeGrid, levels_for
from figures.plane import bar_below, plane_layout, with_image
from figures.style import MARK_COLOR, PALETTE, FigureStyle, legend_names, log_ticks

Array = np.ndarray
ARROW_FRACTION = 0.15
COORD_COLORS = (PALETTE[0], PALETTE[1])  # x, y coordinate curves
PATH_COLOR = PALETTE[0]
ARROW_COLORS = {"gradient": PALETTE[1], "velocity": PALETTE[2], "step": PALETTE[6]}
# the velocity is drawn wide under the step: for heavy-ball momentum they point the same way
ARROW_WIDTHS = {"gradient": 1.5, "velocity": 3.0, "step": 1.2}
STEP_LINE = "rgba(0,0,0,0.45)"


@dataclass(frozen=True)
class Arrow:
    """An arrow to draw: ``tail (2,)``, ``tip (2,)``, the vector it stands for ``vector (2,)``."""

    kind: str
    name: str
    tail: Array
    tip: Array
    vector: Array


def arrows_at(trace: Trace, step: int, length: float) -> list[Arrow]:
    """The arrows at step ``step`` (1-based): ``-g_t``, the velocity (``-b`` or ``-m̂``) and the actual
    step ``Δp``, each from ``p_{t-1}`` with display length ``length``; zero vectors get no arrow."""
    i = step - 1
    tail = trace.positions[i]
    wanted = [("gradient", "−gradient −g", -trace.grads[i])]
    if trace.velocity is not None:
        wanted.append(("velocity", trace.velocity_name, trace.velocity[i]))
    wanted.append(("step", "actual step Δp", trace.deltas[i]))
    out = []
    for kind, name, vec in wanted:
        norm = float(np.hypot(vec[0], vec[1]))
        if not (norm > 0 and np.isfinite(norm)):
            continue
        out.append(Arrow(kind, f"{name} (|·| = {norm:.3g})", tail, tail + vec / norm * length, np.array(vec)))
    return out


def internals_contour(
    trace: Trace, grid: LandscapeGrid, step: int, style: FigureStyle | None = None, title: str | None = None
) -> go.Figure:
    """Contour with the path up to ``p_{t-1}`` (the rest faint), the current point, the next point
    ``p_t`` and the arrows of ``arrows_at`` for step ``t = step``."""
    style = style or FigureStyle()
    window = grid.window
    length = ARROW_FRACTION * min(window.width, window.height)
    pos = trace.positions
    levels = levels_for(trace.landscape, grid)
    colorbar, image = landscape_layer(trace.landscape, grid, levels, style)
    fig = go.Figure([colorbar, *critical_traces(trace.landscape, style)])
    steps = np.arange(pos.shape[0])
    fig.add_trace(
        go.Scatter(
            x=f32(pos[step - 1 :, 0]),
            y=f32(pos[step - 1 :, 1]),
            mode="lines",
            name="path to come",
            line=dict(color=PATH_COLOR, width=style.line_width * 0.6, dash="dot"),
            opacity=0.35,
            customdata=steps[step - 1 :],
            hovertemplate="step %{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
            meta=dict(role="future"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=f32(pos[:step, 0]),
            y=f32(pos[:step, 1]),
            mode="lines+markers",
            name=f"path p<sub>0</sub> … p<sub>{step - 1}</sub>",
            line=dict(color=PATH_COLOR, width=style.line_width),
            marker=dict(size=style.marker_size, color=PATH_COLOR),
            customdata=steps[:step],
            hovertemplate="p_%{customdata}<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
            meta=dict(role="path"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=f32(pos[step : step + 1, 0]),
            y=f32(pos[step : step + 1, 1]),
            mode="markers",
            name=f"next point p<sub>{step}</sub>",
            marker=dict(symbol="circle-open", size=style.mark_size, color=MARK_COLOR, line=dict(width=2)),
            hovertemplate="next point (%{x:.4g}, %{y:.4g})<extra></extra>",
            meta=dict(role="next"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=f32(pos[step - 1 : step, 0]),
            y=f32(pos[step - 1 : step, 1]),
            mode="markers",
            name=f"current point p<sub>{step - 1}</sub>",
            marker=dict(size=style.mark_size, color=PATH_COLOR, line=dict(width=1.5, color="#ffffff")),
            hovertemplate="current point (%{x:.4g}, %{y:.4g})<extra></extra>",
            meta=dict(role="current"),
        )
    )
    for arrow in arrows_at(trace, step, length):
        color = ARROW_COLORS[arrow.kind]
        width = style.line_width * ARROW_WIDTHS[arrow.kind]
        fig.add_trace(
            go.Scatter(
                x=[float(arrow.tail[0]), float(arrow.tip[0])],
                y=[float(arrow.tail[1]), float(arrow.tip[1])],
                mode="lines",
                name=arrow.name,
                line=dict(color=color, width=width),
                hoverinfo="skip",
                meta=dict(role="arrow", kind=arrow.kind, vector=[float(arrow.vector[0]), float(arrow.vector[1])]),
            )
        )
        fig.add_annotation(
            x=float(arrow.tip[0]),
            y=float(arrow.tip[1]),
            ax=float(arrow.tail[0]),
            ay=float(arrow.tail[1]),
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            text="",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2 if width < 5 else 0.8,
            arrowwidth=width,
            arrowcolor=color,
            name=arrow.kind,
        )
    title = title or f"{trace.landscape.title}: {trace.config.title}, step {step} of {trace.n_steps}"
    # the colour bar under the plot and room for the legend's rows on a phone (at the side the bar left
    # a 390 px phone a 130 px plot)
    names = legend_names(fig)
    layout = plane_layout(
        window, style, title, len(names), True, style.legend_columns(names), axis_names=trace.landscape.axis_names
    )
    fig.update_layout(**with_image(layout, image), uirevision=trace.landscape.key)
    fig.data[0].marker.colorbar.update(bar_below(style, layout))
    return fig


def _step_line(fig: go.Figure, step: int, rows: int, cols: int = 1) -> None:
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            fig.add_vline(x=step, line=dict(color=STEP_LINE, width=1.5, dash="dot"), row=r, col=c)


def _coord_traces(
    fig: go.Figure,
    x: Array,
    values: Array,
    label: str,
    row: int,
    col: int,
    style: FigureStyle,
    dash: str = "solid",
    showlegend: bool = False,
    role: str = "state",
) -> None:
    for d, coord in enumerate("xy"):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=f32(values[:, d]),
                mode="lines",
                name=f"{label} ({coord})",
                legendgroup=f"{label}{coord}",
                line=dict(color=COORD_COLORS[d], width=style.line_width, dash=dash),
                showlegend=showlegend,
                hovertemplate=f"{label}, {coord}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                meta=dict(role=role, quantity=label, coord=coord),
            ),
            row=row,
            col=col,
        )


def state_figure(trace: Trace, step: int, style: FigureStyle | None = None) -> go.Figure:
    """One row per quantity over the steps: the gradient ``g_t`` and every recorded state field,
    x coordinate solid (blue), y dashed (vermillion); a dotted line at the shown step."""
    style = style or FigureStyle()
    rows = [("gradient g", trace.grads)] + [(STATE_NAMES.get(k, k), v) for k, v in trace.state.items()]
    fig = make_subplots(
        rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.06, subplot_titles=[name for name, _ in rows]
    )
    x = trace.steps
    for r, (name, values) in enumerate(rows, start=1):
        for d, coord in enumerate("xy"):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=f32(values[:, d]),
                    mode="lines",
                    name=f"{coord} coordinate",
                    legendgroup=coord,
                    line=dict(color=COORD_COLORS[d], width=style.line_width, dash=("solid", "dash")[d]),
                    showlegend=r == 1,
                    hovertemplate=f"{name}, {coord}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                    meta=dict(role="state", quantity=name, coord=coord),
                ),
                row=r,
                col=1,
            )
    _step_line(fig, step, len(rows))
    fig.update_xaxes(title_text="step t", row=len(rows), col=1)
    fig.update_layout(
        **style.layout(
            title=dict(text=f"{trace.config.title}: gradient and state per coordinate", x=0.01, xanchor="left"),
            hovermode="closest",
            # under the plots: above them, the legend ran into a title wrapped on a phone
            **style.legend_below(
                legend_names(fig), height=max(int(style.fig_height * 0.45) * len(rows), style.fig_height // 2 + 100)
            ),
        )
    )
    return fig


def bias_figure(trace: Trace, step: int, style: FigureStyle | None = None) -> go.Figure | None:
    """m (dashed) vs m̂ (solid) and, where the optimizer has it, v vs v̂ (log axis), per coordinate;
    ``None`` for optimizers without bias-corrected moments."""
    if trace.m_hat is None:
        return None
    style = style or FigureStyle()
    m = trace.state.get("mu", np.zeros_like(trace.m_hat))
    pairs = [("m", m, "m̂", trace.m_hat)]
    if trace.v_hat is not None:
        pairs.append(("v", trace.state["nu"], "v̂", trace.v_hat))
    # one row per moment (side by side, each was 120 px wide on a phone)
    fig = make_subplots(
        rows=len(pairs),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[f"{a} (dashed), {b} = {a} / (1 − β{'₁₂'[i]}ᵗ)" for i, (a, _, b, _) in enumerate(pairs)],
    )
    x = trace.steps
    for r, (raw_name, raw, hat_name, hat) in enumerate(pairs, start=1):
        _coord_traces(fig, x, hat, hat_name, r, 1, style, showlegend=True, role="corrected")
        _coord_traces(fig, x, raw, raw_name, r, 1, style, dash="dash", showlegend=True, role="raw")
    if trace.v_hat is not None:
        fig.update_yaxes(
            type="log", exponentformat="power", row=2, col=1, **log_ticks(np.append(trace.v_hat, trace.state["nu"]))
        )
    _step_line(fig, step, len(pairs))
    fig.update_xaxes(title_text="step t", row=len(pairs), col=1)
    fig.update_layout(
        **style.layout(
            title=dict(
                text="Bias correction: the moments start at 0 and are divided by 1 − βᵗ", x=0.01, xanchor="left"
            ),
            hovermode="closest",
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.5) * len(pairs) + 60),
        )
    )
    return fig


def effective_lr_figure(trace: Trace, step: int, style: FigureStyle | None = None) -> go.Figure:
    """``|Δp| / |g|`` per coordinate on a log axis, with the base learning rate ``η`` dashed."""
    style = style or FigureStyle()
    eff = trace.effective_lr
    eff = np.where(eff > 0, eff, np.nan)  # zero steps cannot be drawn on a log axis
    fig = go.Figure()
    for d, coord in enumerate("xy"):
        fig.add_trace(
            go.Scatter(
                x=trace.steps,
                y=f32(eff[:, d]),
                mode="lines",
                name=f"{coord}: |Δ{coord}| / |g<sub>{coord}</sub>|",
                line=dict(color=COORD_COLORS[d], width=style.line_width, dash=("solid", "dash")[d]),
                hovertemplate=f"{coord}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                meta=dict(role="effective", coord=coord),
            )
        )
    lr = float(np.asarray(trace.config.lr))
    fig.add_trace(
        go.Scatter(  # a trace, not add_hline: its annotation lands off the line on log axes
            x=[1, max(trace.n_steps, 1)],
            y=[lr, lr],
            mode="lines",
            name=f"learning rate η = {lr:g}",
            line=dict(color=MARK_COLOR, width=1.5, dash="dot"),
            hoverinfo="skip",
            meta=dict(role="lr"),
        )
    )
    fig.add_vline(x=step, line=dict(color=STEP_LINE, width=1.5, dash="dot"))
    fig.update_layout(
        **style.layout(
            title=dict(text="Effective step size per coordinate: |Δp| / |g|", x=0.01, xanchor="left"),
            xaxis=dict(title=dict(text="step t")),
            yaxis=dict(
                title=dict(text="|Δp| / |g| (log scale)"),
                type="log",
                exponentformat="power",
                **log_ticks(np.append(eff, lr)),
            ),
            hovermode="closest",
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.8)),
        )
    )
    return fig
