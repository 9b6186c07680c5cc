"""Basins of attraction: one categorical map of start points per optimizer, side by side, with
one colour per minimum shared by every panel, the minima marked, a legend with each category's
share of runs per panel, and a stacked bar chart of those shares."""

from __future__ import annotations

import colorsys
import textwrap
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.basins import BasinResult
from figures.contour import f32
from figures.style import MARK_COLOR, MINIMUM_COLOR, OKABE_ITO, TOL_MUTED, FigureStyle, legend_names

Array = np.ndarray

# Minima: Okabe-Ito without black (kept for "diverged") and yellow last, then Tol's muted set.
MINIMA_COLORS: tuple[str, ...] = tuple(c for c in OKABE_ITO if c != "#000000") + TOL_MUTED
EXTRA_COLORS: tuple[str, ...] = ("#1A1A1A", "#7F7F7F", "#E0E0E0")  # diverged, left, still running


OUTLINE = dict(width=1.5, color=MARK_COLOR)  # a star's, a legend square's
MAX_LEGEND_MINIMA = 12  # with more minima than this, the legend lists only those some run reached


def minima_colors(n: int) -> list[str]:
    """``n`` distinct colours for minima: the fixed palette, then golden-ratio hues beyond it."""
    out = list(MINIMA_COLORS[:n])
    for k in range(n - len(out)):
        r, g, b = colorsys.hsv_to_rgb((0.11 + 0.618033988749895 * k) % 1.0, 0.65, 0.85)
        out.append(f"#{round(255 * r):02X}{round(255 * g):02X}{round(255 * b):02X}")
    return out


def category_colors(n_minima: int) -> list[str]:
    """One colour per category: each minimum, then diverged, left the window, still running."""
    return minima_colors(n_minima) + list(EXTRA_COLORS)


def discrete_colorscale(colors: list[str]) -> list[list[Any]]:
    """A step colourscale: integer code ``k`` (with ``zmin=-0.5``, ``zmax=K-0.5``) gets ``colors[k]``."""
    K = len(colors)
    scale: list[list[Any]] = []
    for k, c in enumerate(colors):
        scale += [[k / K, c], [(k + 1) / K, c]]
    return scale


def legend_name(name: str, shares: Array) -> str:
    """``"(3, 2): 26% | 31%"``: the category and its share in each panel."""
    return f"{name}: " + " | ".join(f"{100 * s:.0f}%" for s in shares)


def map_trace(result: BasinResult, p: int, colors: list[str]) -> go.Heatmap:
    """Panel ``p``'s map: each start coloured by its category (``colors``, in legend order)."""
    return go.Heatmap(
        x=f32(result.xs),
        y=f32(result.ys),
        z=result.codes[p].astype(np.int8),
        zmin=-0.5,
        zmax=len(colors) - 0.5,
        colorscale=discrete_colorscale(colors),
        showscale=False,
        name=result.labels[p],
        hovertemplate="start (%{x:.3g}, %{y:.3g})<br>category %{z} (legend order, from 0)<extra></extra>",
        meta=dict(role="basins", panel=p),
    )


def minimum_trace(result: BasinResult, p: int, style: FigureStyle, **extra: Any) -> go.Scatter:
    """The known minima of panel ``p`` as stars (``extra``: legend keywords)."""
    return go.Scatter(
        x=f32(result.minima[:, 0]),
        y=f32(result.minima[:, 1]),
        mode="markers",
        name="minimum",
        marker=dict(
            symbol="star", size=style.mark_size * 1.2, color=MINIMUM_COLOR, line=dict(width=1.5, color=MARK_COLOR)
        ),
        hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        meta=dict(role="minimum", panel=p),
        **extra,
    )


def basin_figure(result: BasinResult, style: FigureStyle | None = None) -> go.Figure:
    """One heatmap panel per optimizer (``z`` = category codes ``(ny, nx)``, int8), same colours
    in every panel, minima as stars, legend entries with the shares per panel."""
    style = style or FigureStyle()
    P = len(result.labels)
    colors = category_colors(result.n_minima)
    fig = make_subplots(rows=1, cols=P, subplot_titles=list(result.labels), horizontal_spacing=0.03, shared_yaxes=True)
    w = result.settings.window()
    for p in range(P):
        fig.add_trace(map_trace(result, p, colors), row=1, col=p + 1)
        if result.n_minima:
            fig.add_trace(minimum_trace(result, p, style, legendgroup="minimum", showlegend=p == 0), row=1, col=p + 1)
        axis = "" if p == 0 else str(p + 1)
        fig.layout[f"xaxis{axis}"].update(
            range=[w.xmin, w.xmax], constrain="domain", showgrid=False, zeroline=False, title=dict(text="start x")
        )
        fig.layout[f"yaxis{axis}"].update(
            range=[w.ymin, w.ymax],
            scaleanchor=f"x{axis}",
            scaleratio=1,
            constrain="domain",
            showgrid=False,
            zeroline=False,
        )
    fig.layout.yaxis.title = dict(text="start y")
    for k, name in enumerate(result.names):
        shares = result.fractions[:, k]
        if (k >= result.n_minima or result.n_minima > MAX_LEGEND_MINIMA) and not np.any(shares > 0):
            continue  # a category no run fell into: an extra one, or one of many minima (Rastrigin's 121)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=legend_name(f"{k}: {name}", shares),
                marker=dict(
                    symbol="square", size=style.mark_size, color=colors[k], line=dict(width=1, color=MARK_COLOR)
                ),
                hoverinfo="skip",
                meta=dict(role="legend", code=k),
            ),
            row=1,
            col=1,
        )
    s = result.settings
    title = f"{s.landscape_obj().title}: where runs from each start end ({s.steps} steps"
    title += f", noise σ={s.noise_sigma:g}, batch {s.batch_size})" if s.noise_sigma > 0 else ")"
    fig.update_layout(
        **style.layout(
            title=dict(text=title, x=0.01, xanchor="left"),
            legend=dict(
                orientation="h",
                yanchor="top",
                y=-0.18,
                x=0.0,
                font=dict(size=style.font_size),
                title=dict(text="ends in (share per panel, left to right)", side="top"),
            ),
            plot_bgcolor="#FFFFFF",
            hovermode="closest",
        ),
        uirevision=s.landscape,
    )
    return fig


def panel_figure(result: BasinResult, p: int, style: FigureStyle | None = None) -> go.Figure:
    """Panel ``p`` alone: one optimizer's map of where runs from each start end (the colours of
    ``basin_figure``), its minima as stars and, under the plot, a legend with this panel's share per
    category. One figure per panel lets a page lay them side by side or stack them (``basin_figure``'s
    four panels in one figure were 70 px wide each on a phone)."""
    style = style or FigureStyle()
    colors = category_colors(result.n_minima)
    w = result.settings.window()
    traces: list[Any] = [map_trace(result, p, colors)]
    if result.n_minima:
        traces.append(minimum_trace(result, p, style))
    for k, name in enumerate(result.names):
        share = float(result.fractions[p, k])
        if share <= 0 and (k >= result.n_minima or result.n_minima > MAX_LEGEND_MINIMA):
            continue  # a category no run of this panel fell into: an extra one, or one of many minima
        traces.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{k}: {name}: {100 * share:.0f}%",
                marker=dict(
                    symbol="square", size=style.mark_size, color=colors[k], line=dict(width=1, color=MARK_COLOR)
                ),
                hoverinfo="skip",
                meta=dict(role="legend", code=k),
            )
        )
    fig = go.Figure(traces)
    axis = dict(constrain="domain", showgrid=False, zeroline=False)
    fig.update_layout(
        **style.layout(
            # the optimizer alone: three panels a row on a projector leave each title 300 px
            title=dict(text=result.labels[p], x=0.01, xanchor="left"),
            xaxis=dict(axis, range=[w.xmin, w.xmax], title=dict(text="start x")),
            yaxis=dict(
                axis, range=[w.ymin, w.ymax], scaleanchor="x", scaleratio=1, constraintoward="top", title="start y"
            ),
            plot_bgcolor="#FFFFFF",
            hovermode="closest",
            # a plot about as tall as a panel is wide (300-370 px): no band of white above and below it
            **_slim(style.legend_below(legend_names(fig), height=int(style.fig_height * 0.8))),
        ),
        uirevision=result.settings.landscape,
    )
    return fig


def _slim(layout: dict[str, Any]) -> dict[str, Any]:
    """``layout`` (of ``legend_below``) with slim side margins: a square map keeps 290 px of a phone's chart."""
    return dict(layout, margin=dict(layout["margin"], l=50, r=10))


def fractions_figure(result: BasinResult, style: FigureStyle | None = None) -> go.Figure:
    """Stacked horizontal bars: for each optimizer (a row, its label wrapped), the share of runs ending
    in each category (sums to 1); upright bars turned their labels and narrowed a phone's plot."""
    style = style or FigureStyle()
    colors = category_colors(result.n_minima)
    rows = ["<br>".join(textwrap.wrap(label, 12, break_long_words=False)) for label in result.labels]
    traces = []
    for k, name in enumerate(result.names):
        shares = result.fractions[:, k]
        if not np.any(shares > 0):
            continue
        traces.append(
            go.Bar(
                y=rows,
                x=shares.astype(float),
                orientation="h",
                name=f"{k}: {name}",
                marker=dict(color=colors[k], line=dict(width=0.5, color=MARK_COLOR)),
                text=[f"{100 * v:.0f}%" if v >= 0.08 else "" for v in shares],
                textposition="inside",
                hovertemplate=f"{name}<br>%{{y}}: %{{x:.1%}}<extra></extra>",
                meta=dict(code=k),
            )
        )
    fig = go.Figure(traces)
    s = result.settings
    noise = (
        f"noise σ={s.noise_sigma:g}, batch size {s.batch_size}, seed {s.seed}"
        if s.noise_sigma > 0
        else "no gradient noise"
    )
    band = 48 if style.presentation else 36  # px per optimizer
    layout = style.layout(
        title=dict(text=f"Share of runs per basin ({noise})", x=0.01, xanchor="left"),
        barmode="stack",
        xaxis=dict(title=dict(text="share of runs"), range=[0, 1], tickformat=".0%"),
        yaxis=dict(type="category", autorange="reversed", tickfont=dict(size=style.font_size - 2)),
        # under the plot: at the side the categories' names took half a phone's chart
        **style.legend_below(legend_names(fig), height=max(220, band * len(rows) + 110)),
    )
    layout["legend"]["traceorder"] = "normal"
    layout["margin"]["r"] = 10
    fig.update_layout(**layout)
    return fig
