"""The classroom animation: all paths grow together over the contour, with play/pause and a slider."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.contour import (
    IMAGE_PX,
    colors_for,
    critical_traces,
    f32,
    figure_title,
    landscape_layer,
    legend_name,
    result_starts,
    run_look,
    start_trace,
)
from figures.grid import CONTOUR_N, LandscapeGrid, evaluate_grid, levels_for
from figures.plane import bar_below, bar_room, plane_layout, with_image
from figures.style import MARK_COLOR, Figure, FigureStyle, Scatter
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

Array = np.ndarray
MAX_FRAMES = 60
PRESENT_HEIGHT = 520  # px: with the page's compact header it ends inside a 720 px first screen
ANIMATION_POINTS = 150  # per run: every frame resends each path's prefix, so keep paths short


def frame_indices(result: RunResult, max_frames: int = MAX_FRAMES) -> Array:
    """Recorded-step indices shown by the frames: evenly spread from the start to the last step
    any run was still moving, at most ``max_frames`` of them (first and last always)."""
    live = max((paths.run_length(result, r) for r in range(len(result.status))), default=1)
    return paths.thin_indices(live, max(int(max_frames), 2))


def _frame_paths(result: RunResult, run_idx: list[Array], e: int) -> tuple[list[Array], list[Array]]:
    """Each run's path up to recorded index ``e`` (its thinned points, plus the exact point at
    ``e``) and its head point there."""
    prefixes, heads = [], []
    for r, idx in enumerate(run_idx):
        stop = min(e, paths.run_length(result, r) - 1)
        prefix = idx[idx <= stop]
        if prefix.size == 0 or prefix[-1] != stop:
            prefix = np.append(prefix, stop)
        prefixes.append(result.positions[r, prefix])
        heads.append(result.positions[r, stop])
    return prefixes, heads


def animation_figure(
    landscape: LandscapeLike,
    grid: LandscapeGrid | None = None,
    result: RunResult | None = None,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    max_frames: int = MAX_FRAMES,
    max_points: int = ANIMATION_POINTS,
    frame_ms: int = 80,
    title: str | None = None,
    image_px: int = IMAGE_PX,
) -> go.Figure:
    """The landscape's contour bands with the paths of ``result`` growing frame by frame.

    The landscape is a layout image (the contour's levels and colours, ``image_px`` pixels a
    side) because plotly.js drops contour *traces* while frames play; a marker-less scatter
    carries the colourbar. At most ``max_frames`` frames; each frame carries only the path and
    head traces (listed in the frame's ``traces``); each path has at most ``max_points`` points.
    The figure opens on the first frame; play/pause buttons and a step slider drive it.
    """
    if result is None:
        raise ValueError("animation_figure needs a result to animate")
    style = style or FigureStyle()
    grid = evaluate_grid(landscape, None, CONTOUR_N) if grid is None else grid
    levels = levels_for(landscape, grid)
    names = paths.names(result, labels)
    colors = colors_for(result)
    R = len(result.status)
    run_idx = [paths.run_indices(result, r, max_points) for r in range(R)]
    frames_at = frame_indices(result, max_frames)

    colorbar, image = landscape_layer(landscape, grid, levels, style, image_px)
    static: list[Any] = [colorbar, *critical_traces(landscape, style), start_trace(result_starts(result), style)]
    paths0, heads0 = _frame_paths(result, run_idx, int(frames_at[0]))
    moving: list[Any] = []
    for r in range(R):
        look = run_look(result, r, style, colors)
        moving.append(
            Scatter(
                x=f32(paths0[r][:, 0]),
                y=f32(paths0[r][:, 1]),
                mode="lines",
                name=legend_name(result, r, names[r]),
                legendgroup=f"run{r}",
                line=dict(color=look["color"], width=style.line_width, dash=look["dash"]),
                hoverinfo="skip",
                meta=dict(role="path", run=r),
            )
        )
    for r in range(R):
        look = run_look(result, r, style, colors)
        moving.append(
            Scatter(
                x=[float(heads0[r][0])],
                y=[float(heads0[r][1])],
                mode="markers",
                name=names[r],
                legendgroup=f"run{r}",
                showlegend=False,
                marker=dict(
                    size=style.mark_size,
                    color=look["color"],
                    symbol=look["symbol"],
                    line=dict(width=1.5, color=MARK_COLOR),
                ),
                hovertemplate=f"<b>{names[r]}</b><br>x=%{{x:.4g}}, y=%{{y:.4g}}<extra></extra>",
                meta=dict(role="head", run=r),
            )
        )
    moving_ids = list(range(len(static), len(static) + 2 * R))

    frames = []  # plain dicts, checked once by the figure (a go.Scatter each took 3 times as long)
    for e in frames_at:
        prefixes, heads = _frame_paths(result, run_idx, int(e))
        data = [dict(type="scatter", x=f32(p[:, 0]), y=f32(p[:, 1])) for p in prefixes]
        data += [dict(type="scatter", x=[float(h[0])], y=[float(h[1])]) for h in heads]
        frames.append(dict(data=data, traces=moving_ids, name=f"{int(result.steps[e])}"))

    fig = Figure(data=static + moving, frames=frames)
    font = dict(size=style.font_size + (4 if style.presentation else 0))
    # redraw=False: only the scatter traces move; the landscape image is left alone.
    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    play = {
        "frame": {"duration": frame_ms, "redraw": False},
        "fromcurrent": True,
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    config_names = list(labels) if labels is not None and len(labels) == len(result.labels) else list(result.labels)
    layout = plane_layout(
        grid.window, style, title or figure_title(landscape, config_names), axis_names=landscape.axis_names
    )
    # Pixel layout: play/pause at the top right, in the title's row (never over the slider, whatever
    # the width); below the plot the x-axis title, the slider across the whole width, the legend.
    fs = style.font_size
    top, below_axis, controls = int(2 * fs + 36), 2.6 * fs + 10, 5.5 * fs + 30
    layout = with_image(layout, image)
    if style.presentation:  # a projector's first screen (issue 12): legend and colour bar beside the
        # plot (at the right and left edges of the figure; the equal-scale plot sits in the middle), the
        # x axis without its title, smaller slider ticks: the slider stays on the screen
        top, below_axis, controls = int(2 * fs + 20), fs + 16, 4 * fs + 16
        height = PRESENT_HEIGHT
        bottom = int(below_axis + controls)
        legend = dict(orientation="v", xanchor="right", x=1.0, yanchor="top", y=1.0, font=dict(size=fs - 4))
        legend["tracegroupgap"] = 2
        layout["xaxis"]["title"] = dict(text="")
        fig.data[0].marker.colorbar.update(x=0.0, xanchor="left")  # the colour bar at the left edge
        margin = dict(l=60, r=20, t=top, b=bottom)
    else:  # under the plot: the x-axis title, the colour bar laid across (as on the contour: at the side
        # it would squeeze a phone's plot), the slider, the legend
        below_axis += bar_room(style)
        legend_rows = -(-R // 3) + 1
        bottom = int(below_axis + controls + legend_rows * (fs + 14) + 20)
        height = style.fig_height + bottom - 50
        legend = dict(orientation="h", yanchor="top", y=-(below_axis + controls) / (height - top - bottom), x=0.0)
        legend["font"] = dict(size=fs)
        margin = dict(l=40, r=10, t=top, b=bottom)
        fig.data[0].marker.colorbar.update(bar_below(style, dict(height=height, margin=margin)))
    plot_h = height - top - bottom
    layout.update(
        legend=legend,
        margin=margin,
        height=height,
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=1.0,
                xanchor="right",
                y=1.0,
                yanchor="bottom",
                font=font,
                pad=dict(r=0, t=0, b=6),
                showactive=False,
                buttons=[
                    dict(label="▶ Play", method="animate", args=[None, play]),
                    dict(label="❚❚ Pause", method="animate", args=[[None], still]),
                ],
            )
        ],
        sliders=[
            dict(
                active=0,
                x=0.0,
                xanchor="left",
                len=1.0,
                y=-below_axis / plot_h,
                yanchor="top",
                pad=dict(t=0),
                font=dict(size=fs - 4) if style.presentation else font,
                currentvalue=dict(prefix="step ", font=font),
                steps=[dict(label=f["name"], method="animate", args=[[f["name"]], still]) for f in frames],
            )
        ],
    )
    fig.update_layout(**layout, uirevision=landscape.key)
    return fig


def final_still(fig: go.Figure) -> go.Figure:
    """A still copy of an animation for a picture (PNG, SVG): the moving traces as in the last
    frame (every path drawn in full), the slider on the last step, and no play/pause buttons
    (nothing to press in a picture; they would sit over the slider at an export's width).
    Figures without frames come back unchanged."""
    if not fig.frames:
        return fig
    out = Figure(fig)
    last = out.frames[-1]
    for i, trace in zip(last.traces, last.data, strict=True):
        # only what the frame sets: a frame may leave x to the trace (the model panel's curves)
        out.data[i].update({k: v for k in ("x", "y") if (v := getattr(trace, k)) is not None})
    out.frames = ()
    out.layout.updatemenus = ()
    if out.layout.sliders:
        slider = out.layout.sliders[0]
        out.layout.sliders = [dict(slider.to_plotly_json(), active=len(slider.steps) - 1)]
    return out
