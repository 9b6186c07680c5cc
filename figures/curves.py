"""Loss and distance-to-minimum against step, one line per run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.contour import colors_for, legend_name, run_look
from figures.plane import legend_room
from figures.style import MARK_COLOR, Figure, FigureStyle, Scatter, corner_note, legend_names
from landscapes.base import coordinates, nearest
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

Array = np.ndarray
DISTANCE_FLOOR = 1e-16  # distances of exactly 0 are drawn here on the log axis


def _series(result: RunResult, values: Array, max_points: int) -> list[tuple[Array, Array]]:
    """Per run: (steps, values) over its live part, at most ``max_points`` points, fewer when many
    runs share the figure (``paths.CURVE_BUDGET``), thinned keeping each curve's envelope."""
    runs = len(result.status)
    cap = paths.share(paths.CURVE_BUDGET, runs, max_points)
    out = []
    for r in range(runs):
        live = np.asarray(values[r, : paths.run_length(result, r)], dtype=float)
        idx = paths.envelope_indices(live, cap)
        out.append((result.steps[idx].astype(np.int32), live[idx]))
    return out


PLAIN_DECADES = 3  # a log axis over at most this many decades gets plain-number tick labels
DECADE_TICKS = 8  # up to this many decades: one tick per power of ten, no bare-digit minor labels


def decades(series: list[tuple[Array, Array]]) -> float:
    """How many decades the positive finite values of ``series`` span (0 when there are none)."""
    ys = np.concatenate([np.asarray(y, dtype=float) for _, y in series]) if series else np.zeros(0)
    ys = ys[np.isfinite(ys) & (ys > 0)]
    return float(np.log10(ys.max() / ys.min())) if ys.size else 0.0


def _curve_figure(
    result: RunResult,
    series: list[tuple[Array, Array]],
    labels: Sequence[str] | None,
    style: FigureStyle,
    y_title: str,
    log_y: bool,
    title: str,
    what: str,
) -> go.Figure:
    names = paths.names(result, labels)
    colors = colors_for(result)
    traces: list[go.Scatter] = []
    for r, (x, y) in enumerate(series):
        look = run_look(result, r, style, colors)
        traces.append(
            Scatter(
                x=x,
                y=y,
                mode="lines",
                name=legend_name(result, r, names[r]),
                legendgroup=f"run{r}",
                line=dict(color=look["color"], width=style.line_width, dash=look["dash"]),
                hovertemplate=f"<b>{names[r]}</b><br>step %{{x}}<br>{what} %{{y:.4g}}<extra></extra>",
                meta=dict(role="curve", run=r),
            )
        )
        if paths.flew_off(result, r) and len(x):
            traces.append(
                Scatter(
                    x=x[-1:],
                    y=y[-1:],
                    mode="markers",
                    name=names[r],
                    legendgroup=f"run{r}",
                    showlegend=False,
                    marker=dict(
                        symbol="x", size=style.mark_size, color=look["color"], line=dict(width=1.5, color=MARK_COLOR)
                    ),
                    hovertemplate=f"<b>{names[r]}</b>: {paths.status_text(result, r)}<extra></extra>",
                    meta=dict(role="end", run=r),
                )
            )
    yaxis: dict[str, object] = dict(title=dict(text=y_title), type="log" if log_y else "linear", exponentformat="power")
    span = decades(series) if log_y else 0.0
    if log_y and span <= PLAIN_DECADES:
        # few decades: Plotly labels the ticks between powers of ten with a bare digit ("5 2 0.1 5 2"
        # reads as nonsense below 1); a d3 format writes every label as the number it is ("0.5", "0.2")
        yaxis["tickformat"] = "~g"
    elif log_y and span <= DECADE_TICKS:
        yaxis["dtick"] = 1  # a labelled tick at each power of ten only (wider spans: Plotly's own choice)
    names = legend_names(traces)
    height, bottom = legend_room(len(names), style, style.legend_columns(names))
    height -= style.fig_height // 4  # a shorter plot than the contour's
    # the layout given to the constructor: ``update_layout`` with the template took 3-5 times as long (18 ms, 4-6)
    return Figure(
        data=traces,
        layout=style.layout(
            title=dict(text=title, x=0.01, xanchor="left", font=dict(size=style.font_size + 2)),
            xaxis=dict(title=dict(text="step")),
            yaxis=yaxis,
            # below the plot, room made for it: a legend at the side leaves a narrow column a sliver of plot;
            # placed from the figure's bottom (container coordinates): when a narrow chart wraps it into
            # more rows than room was made for, Plotly grows the margin and shrinks the plot, and a legend
            # placed from the plot would climb onto the x-axis title (seen at 390 px with 12 runs)
            legend=dict(
                orientation="h", yanchor="top", yref="container", y=(bottom - 2 * style.font_size - 20) / height, x=0.0
            ),
            hovermode="closest",
            height=height,
            margin=dict(l=60, r=20, t=60, b=bottom),
        ),
    )


def loss_figure(
    result: RunResult,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    log_y: bool = True,
    max_points: int = paths.MAX_CURVE_POINTS,
) -> go.Figure:
    """Loss against step for every run (up to where it stopped, at most ``max_points`` points each).

    With ``log_y``: a log axis when every loss shown is positive; otherwise ``loss - min + tiny``
    on a log axis (``tiny`` = 1e-9 of the range, at least 1e-12), and the axis title says so.
    """
    style = style or FigureStyle()
    series = _series(result, result.losses, max_points)
    ys = np.concatenate([y for _, y in series]) if series else np.zeros(0)
    ys = ys[np.isfinite(ys)]
    y_title = "loss"
    if log_y and ys.size and ys.min() <= 0:
        lo, hi = float(ys.min()), float(ys.max())
        tiny = max(1e-12, 1e-9 * (hi - lo))
        series = [(x, y - lo + tiny) for x, y in series]
        y_title = f"loss − min ({lo:.4g}) + {tiny:.1g}"
    what = "loss" if y_title == "loss" else "loss − min"
    return _curve_figure(
        result, series, labels, style, y_title + (" (log scale)" if log_y else ""), log_y, "Loss by step", what
    )


def distance_figure(
    result: RunResult,
    landscape: LandscapeLike,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    max_points: int = paths.MAX_CURVE_POINTS,
) -> go.Figure:
    """Distance from each run's point to the nearest known minimum against step (log axis).

    Landscapes with no known minimum get an empty figure that says so. Distances of exactly 0
    are drawn at ``DISTANCE_FLOOR``.
    """
    style = style or FigureStyle()
    minima = coordinates(landscape.minima())
    if minima.shape[0] == 0:
        fig = Figure()
        fig.update_layout(
            **style.layout(
                title=dict(text="Distance to the nearest minimum", x=0.01, xanchor="left"),
                xaxis=dict(visible=False),
                yaxis=dict(visible=False),
                height=int(style.fig_height * 0.5),
                annotations=[
                    dict(
                        text=f"{landscape.title} has no known minimum: there is no distance to show.",
                        x=0.5,
                        y=0.5,
                        xref="paper",
                        yref="paper",
                        showarrow=False,
                        font=dict(size=style.font_size),
                    )
                ],
            )
        )
        return fig
    d = nearest(result.positions, minima)[1]
    floored = bool((d <= 0).any())
    series = _series(result, np.maximum(d, DISTANCE_FLOOR), max_points)
    # short: a long axis title is cut at the plot's height (the chart's title says "to the nearest minimum");
    # where zeros were floored a note in the plot's corner says so (in the axis title, ", 0 at 1e-16" ran
    # past a projector's plot and into the chart's title)
    fig = _curve_figure(
        result,
        series,
        labels,
        style,
        "distance (log scale)",
        True,
        "Distance to the nearest minimum by step",
        "distance",
    )
    if floored:
        fig.add_annotation(**corner_note(f"0 drawn at {DISTANCE_FLOOR:g}", style, right=True, name="floor"))
    return fig
