"""Figures of the batch-size lesson: median curves with a percentile band over seeds, the noise
spread against batch size, and where noisy runs end on the sharp/flat landscape."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures.contour import critical_traces, f32, landscape_layer
from figures.grid import LandscapeGrid, levels_for
from figures.plane import bar_below, plane_layout, with_image
from figures.style import MARK_COLOR, SYMBOLS, FigureStyle, corner_note, legend_names, log_ticks, run_colors
from landscapes.protocol import LandscapeLike

Array = np.ndarray
LOG_FLOOR = 1e-12  # values at or below this are drawn here on a log axis


def rgba(color: str, alpha: float) -> str:
    """``"#rrggbb"`` to ``"rgba(r, g, b, alpha)"``."""
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def band_figure(
    steps: Array,
    band: Array,
    labels: Sequence[str],
    style: FigureStyle | None = None,
    *,
    title: str = "Loss by step: median and 10-90% band over seeds",
    y_title: str = "loss",
    log_y: bool = True,
    offset: float = 0.0,
    what: str = "loss",
    band_names: tuple[str, str, str] = ("10th percentile", "median", "90th percentile"),
    colors: Sequence[str] | None = None,
    show_band: bool = True,
) -> go.Figure:
    """Per config ``c``: the middle curve ``band[1, c] - offset`` as a line and (with ``show_band``) the
    range between ``band[0, c]`` and ``band[2, c]`` as a translucent fill; ``steps (K,)``, ``band (3, C, K)``.

    With ``log_y`` values are floored at ``LOG_FLOOR`` (the axis title says so when it happens)."""
    style = style or FigureStyle()
    band = np.asarray(band, dtype=float) - offset
    floored = False
    if log_y:
        floored = bool((band <= LOG_FLOOR).any())
        band = np.maximum(band, LOG_FLOOR)
    colors = list(colors) if colors is not None else run_colors(len(labels))
    x = np.asarray(steps).astype(np.int64)
    fig = go.Figure()
    for c, label in enumerate(labels):
        color = colors[c % len(colors)]
        lo, mid, hi = band[0, c], band[1, c], band[2, c]
        if show_band:
            _add_band(fig, x, lo, hi, c, label, color, band_names)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=f32(mid),
                mode="lines",
                name=label,
                legendgroup=f"cfg{c}",
                line=dict(color=color, width=style.line_width),
                customdata=f32(np.column_stack([lo, hi])),
                hovertemplate=(
                    f"<b>{label}</b><br>step %{{x}}<br>{band_names[1]} {what} %{{y:.4g}}"
                    f"<br>{band_names[0]} %{{customdata[0]:.4g}}, {band_names[2]} %{{customdata[1]:.4g}}"
                    "<extra></extra>"
                ),
                meta=dict(role="median", config=c),
            )
        )
    notes = [corner_note(f"values ≤ {LOG_FLOOR:g} drawn at {LOG_FLOOR:g}", style)] if floored else []
    fig.update_layout(
        **style.layout(
            title=dict(text=title, x=0.01, xanchor="left"),
            xaxis=dict(title=dict(text="step")),
            yaxis=dict(
                title=dict(text=y_title + (" (log scale)" if log_y else "")),
                type="log" if log_y else "linear",
                exponentformat="power",
                **(log_ticks(band) if log_y else {}),  # at most 6 labels: 16 decades crowded
            ),
            hovermode="closest",
            annotations=notes,
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.8)),
        )
    )
    return fig


def _add_band(
    fig: go.Figure, x: Array, lo: Array, hi: Array, c: int, label: str, color: str, band_names: tuple[str, str, str]
) -> None:
    """The upper edge (invisible) and the lower edge filled up to it."""
    fig.add_trace(
        go.Scatter(
            x=x,
            y=f32(hi),
            mode="lines",
            line=dict(width=0, color=color),
            showlegend=False,
            legendgroup=f"cfg{c}",
            hoverinfo="skip",
            name=f"{label} {band_names[2]}",
            meta=dict(role="band_hi", config=c),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=f32(lo),
            mode="lines",
            line=dict(width=0, color=color),
            fill="tonexty",
            fillcolor=rgba(color, 0.2),
            showlegend=False,
            legendgroup=f"cfg{c}",
            hoverinfo="skip",
            name=f"{label} {band_names[0]}",
            meta=dict(role="band_lo", config=c),
        )
    )


def noise_figure(
    batches: Sequence[int | None], expected: Array, measured: Array, style: FigureStyle | None = None
) -> go.Figure:
    """Noise spread per gradient coordinate against batch size (log-log): the law ``sigma / sqrt(B)``
    as a line, the spread measured from the runs as markers. Full batch (``None``) is left out."""
    style = style or FigureStyle()
    keep = [i for i, b in enumerate(batches) if b is not None]
    B = np.array([batches[i] for i in keep], dtype=float)
    exp = np.asarray(expected, dtype=float)[keep]
    meas = np.asarray(measured, dtype=float)[keep]
    fig = go.Figure()
    if B.size:
        sigma = float(exp[0] * np.sqrt(B[0]))
        grid = np.geomspace(B.min(), max(B.max(), B.min() * 2), 60)
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=sigma / np.sqrt(grid),
                mode="lines",
                name="σ / √B",
                line=dict(color=MARK_COLOR, width=style.line_width, dash="dash"),
                hovertemplate="B = %{x:.3g}<br>σ/√B = %{y:.4g}<extra></extra>",
                meta=dict(role="law"),
            )
        )
        if np.isfinite(meas).any():
            fig.add_trace(
                go.Scatter(
                    x=B,
                    y=meas,
                    mode="markers",
                    name="measured from the runs",
                    marker=dict(size=style.mark_size, color=run_colors(1)[0], line=dict(width=1.5, color=MARK_COLOR)),
                    hovertemplate="B = %{x}<br>measured %{y:.4g}<extra></extra>",
                    meta=dict(role="measured"),
                )
            )
    ticks = dict(tickmode="array", tickvals=B.tolist(), ticktext=[f"{b:g}" for b in B])
    yticks = dict(tickmode="array", tickvals=exp.tolist(), ticktext=[f"{v:.3g}" for v in exp])
    fig.update_layout(
        **style.layout(
            title=dict(text="Gradient noise spread per coordinate vs batch size", x=0.01, xanchor="left"),
            xaxis=dict(title=dict(text="batch size B (log scale)"), type="log", **ticks),
            # short: a longer title ran past the plot's height on a projector (the chart's title says more)
            yaxis=dict(title=dict(text="noise std (log scale)"), type="log", **yticks),
            # under the axis title, in room made for it: at paper y = -0.2 it lay over the title on a projector
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.7)),
        )
    )
    return fig


BASIN_NAMES = ("sharp minimum", "flat minimum", "neither (flew off)")
BASIN_COLORS = ("#D55E00", "#0072B2", "#999999")


def basin_figure(
    labels: Sequence[str], fractions: Array, style: FigureStyle | None = None, n_runs: int | None = None
) -> go.Figure:
    """Stacked bars, one per batch size: the share of runs ending in the sharp minimum, the flat
    one, and neither. ``fractions (C, 3)``; the "neither" bar is drawn only when some run flew off."""
    style = style or FigureStyle()
    fractions = np.asarray(fractions, dtype=float)
    fig = go.Figure()
    for j, (name, color) in enumerate(zip(BASIN_NAMES, BASIN_COLORS, strict=True)):
        if j == 2 and not (fractions[:, 2] > 0).any():
            continue
        fig.add_trace(
            go.Bar(
                x=list(labels),
                y=fractions[:, j],
                name=name,
                marker=dict(color=color),
                text=[f"{v:.0%}" for v in fractions[:, j]],
                textposition="inside",
                hovertemplate=f"%{{x}}<br>{name}: %{{y:.0%}}<extra></extra>",
                meta=dict(role="basin", basin=name),
            )
        )
    what = f" ({n_runs} runs each)" if n_runs else ""
    fig.update_layout(
        **style.layout(
            title=dict(text=f"Where noisy SGD ends, by batch size{what}", x=0.01, xanchor="left"),
            barmode="stack",
            xaxis=dict(title=dict(text="batch size B"), type="category"),
            yaxis=dict(title=dict(text="share of runs"), range=[0, 1], tickformat=".0%"),
            **style.legend_below(legend_names(fig), height=int(style.fig_height * 0.8)),
        )
    )
    return fig


def endpoints_figure(
    landscape: LandscapeLike,
    grid: LandscapeGrid,
    final: Array,
    labels: Sequence[str],
    style: FigureStyle | None = None,
    starts: Array | None = None,
    max_per_config: int = 200,
) -> go.Figure:
    """The landscape's contour with the final points ``final (C, N, 2)`` of each batch size as
    markers (at most ``max_per_config`` each) and, optionally, the start points."""
    style = style or FigureStyle()
    levels = levels_for(landscape, grid)
    colorbar, image = landscape_layer(landscape, grid, levels, style)
    fig = go.Figure([colorbar, *critical_traces(landscape, style)])
    colors = run_colors(len(labels))
    final = np.asarray(final, dtype=float)
    for c, label in enumerate(labels):
        pts = final[c, :max_per_config]
        fig.add_trace(
            go.Scatter(
                x=f32(pts[:, 0]),
                y=f32(pts[:, 1]),
                mode="markers",
                name=label,
                marker=dict(
                    size=style.marker_size * 1.6,
                    color=colors[c % len(colors)],
                    symbol=SYMBOLS[c % len(SYMBOLS)],
                    opacity=0.75,
                    line=dict(width=0.5, color=MARK_COLOR),
                ),
                hovertemplate=f"<b>{label}</b><br>ended at (%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
                meta=dict(role="final", config=c),
            )
        )
    if starts is not None:
        s = np.unique(np.asarray(starts, dtype=float).reshape(-1, 2), axis=0)[:max_per_config]
        fig.add_trace(
            go.Scatter(
                x=f32(s[:, 0]),
                y=f32(s[:, 1]),
                mode="markers",
                name="start",
                marker=dict(
                    symbol="circle-open",
                    size=style.mark_size * (1.0 if len(s) < 3 else 0.5),
                    color=MARK_COLOR,
                    line=dict(width=1.0),
                ),
                hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>",
                meta=dict(role="start"),
            )
        )
    # the colour bar and the legend under the plot, as the race's contour has them: at the side they
    # left a phone's plot 150 px wide
    names = legend_names(fig)
    title = f"{landscape.title}: where the runs ended"
    layout = plane_layout(
        grid.window, style, title, len(names), True, style.legend_columns(names), axis_names=landscape.axis_names
    )
    fig.update_layout(**with_image(layout, image), uirevision=landscape.key)
    fig.data[0].marker.colorbar.update(bar_below(style, layout))
    return fig
