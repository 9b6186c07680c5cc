"""The race seen from above: filled contour, critical points, starts and every run's path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.grid import CONTOUR_N, ContourLevels, LandscapeGrid, evaluate_grid, levels_for
from figures.plane import bar_below, plane_layout, with_image
from figures.raster import band_image, data_uri
from figures.style import (
    DASHES,
    LANDSCAPE_COLORSCALE,
    MARK_COLOR,
    MINIMUM_COLOR,
    SYMBOLS,
    Figure,
    FigureStyle,
    Scatter,
    kind_colors,
)
from landscapes.base import Window
from landscapes.cost import grid_side
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

Array = np.ndarray
CLICK_TRACE = "click to set start"  # name (and meta role "click") of the invisible click grid
CLICK_N = 20  # click grid points per axis (only one is drawn: see ``click_trace``)
CLICK_REACH = 40  # px: Plotly's hover (and so click) distance on a clickable contour; at 20 a side the
# points are about 47 x 21 px apart on a 900 x 400 px plot, so every pixel is within 26 px of one
IMAGE_PX = 300  # the landscape image's pixels per axis (a finer grid passed in is used as it is)
PATH_MARKERS = 60  # step markers drawn per path (the line and its hover keep every sent point)
MARKER_BUDGET = 240  # step markers on one contour, all paths together (at least MIN_MARKERS a path)
MIN_MARKERS = 20
F32_LIMIT = 1e30


def f32(a: Array) -> Array:
    """Float32 copy for sending (finite values clipped into float32 range)."""
    return np.clip(np.asarray(a, dtype=float), -F32_LIMIT, F32_LIMIT).astype(np.float32)


def is_click_trace(trace: Any) -> bool:
    """Is this the invisible click grid of a contour figure?"""
    meta = getattr(trace, "meta", None)
    return isinstance(meta, dict) and meta.get("role") == "click"


def click_trace_index(fig: go.Figure) -> int | None:
    """Index (Plotly ``curve_number``) of the click grid, or ``None``."""
    return next((i for i, t in enumerate(fig.data) if is_click_trace(t)), None)


def figure_title(landscape: LandscapeLike, run_names: Sequence[str], limit: int = 48) -> str:
    """ "Rosenbrock: SGD, Adam, ..." in at most about ``limit`` characters ("... and 3 more"), so a
    title fits a phone's width (Plotly never wraps a title)."""
    head = f"{landscape.title}: "
    for k in range(len(run_names), 0, -1):
        more = f" and {len(run_names) - k} more" if k < len(run_names) else ""
        text = head + ", ".join(run_names[:k]) + more
        if len(text) <= limit or k == 1:
            return text
    return landscape.title


def run_look(result: RunResult, r: int, style: FigureStyle, colors: Sequence[str]) -> dict[str, Any]:
    """Colour (by config), dash and symbol (by start) of run ``r``."""
    s = int(result.start_index[r])
    return dict(
        color=colors[int(result.config_index[r]) % len(colors)],
        dash=DASHES[s % len(DASHES)],
        symbol=SYMBOLS[s % len(SYMBOLS)],
    )


def colors_for(result: RunResult) -> list[str]:
    """One colour per run setting ``(C,)``: its optimizer kind's, shaded when a kind repeats."""
    return kind_colors(result.kinds)


def legend_name(result: RunResult, r: int, name: str) -> str:
    """The run's name, with "(diverged at step k)" / "(left the window at step k)" when it flew off."""
    return f"{name} ({paths.status_text(result, r)})" if paths.flew_off(result, r) else name


# --- traces shared with the animation ---------------------------------------------------------
def contour_trace(grid: LandscapeGrid, levels: ContourLevels, style: FigureStyle) -> go.Contour:
    """Filled contour of ``levels.transform(grid.z)``, colourbar in loss units (Plotly contours it in
    the browser: for small figures; the race uses ``landscape_layer``)."""
    what = "log10(loss − min)" if levels.log else "loss"
    return go.Contour(
        x=grid.xs,
        y=grid.ys,
        z=f32(levels.transform(grid.z)),
        autocontour=False,
        contours=dict(start=levels.start, end=levels.end, size=levels.size, coloring="fill"),
        colorscale=LANDSCAPE_COLORSCALE,
        line=dict(width=0.5, color="rgba(0,0,0,0.25)"),
        colorbar=levels.colorbar(len=0.9, thickness=24 if style.presentation else 14),
        hovertemplate=f"x=%{{x:.3f}}<br>y=%{{y:.3f}}<br>{what}=%{{z:.3g}}<extra></extra>",
        name="loss",
        showlegend=False,
        meta=dict(role="landscape"),
    )


def landscape_layer(
    landscape: LandscapeLike, grid: LandscapeGrid, levels: ContourLevels, style: FigureStyle, image_px: int = IMAGE_PX
) -> tuple[go.Scatter, dict[str, Any]]:
    """The filled contour drawn on the server: a layout image (``figures.raster.band_image``: each
    level band in its colour, level lines between bands; at least ``image_px`` pixels a side, or as
    many as ``landscapes.cost.grid_side`` allows a data landscape over many examples; from ``grid`` when
    it is that fine) and a marker-less scatter (meta role "landscape") carrying the
    colourbar. The browser only draws a picture: no contouring in JavaScript, and frames of an
    animation leave a layout image alone (plotly.js #4491 drops contour traces while playing)."""
    w = grid.window
    side = grid_side(landscape, max(int(image_px), 8))  # a data landscape over many examples: coarser
    picture = grid if len(grid.xs) >= side else evaluate_grid(landscape, w, side)
    image = dict(
        source=data_uri(band_image(picture, levels, LANDSCAPE_COLORSCALE)),
        xref="x",
        yref="y",
        x=w.xmin,
        y=w.ymax,
        sizex=w.width,
        sizey=w.height,
        sizing="stretch",
        layer="below",
        name="landscape",
    )
    colorbar = Scatter(
        x=[w.xmin],
        y=[w.ymin],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        name="loss",
        marker=dict(
            size=0.1,
            opacity=0,
            color=[levels.start],
            cmin=levels.start,
            cmax=levels.end,
            colorscale=LANDSCAPE_COLORSCALE,
            showscale=True,
            colorbar=levels.colorbar(len=0.9, thickness=24 if style.presentation else 14),
        ),
        meta=dict(role="landscape", log=levels.log, levels=[levels.start, levels.end, levels.size]),
    )
    return colorbar, image


def critical_traces(landscape: LandscapeLike, style: FigureStyle) -> list[go.Scatter]:
    """Known minima (stars) and saddles (x marks), with hover text."""
    traces = []
    for kind, points, symbol, fill in (
        ("minimum", landscape.minima(), "star", MINIMUM_COLOR),
        ("saddle", landscape.saddles(), "x-thin-open", MARK_COLOR),
    ):
        if not points:
            continue
        text = [f"{kind} ({p.x:.4g}, {p.y:.4g})<br>loss {p.value:.4g}" for p in points]
        traces.append(
            Scatter(
                x=[p.x for p in points],
                y=[p.y for p in points],
                mode="markers",
                name=kind,
                marker=dict(
                    symbol=symbol,
                    size=style.mark_size * 1.3,
                    color=fill,
                    line=dict(width=1.5 if kind == "minimum" else style.line_width, color=MARK_COLOR),
                ),
                text=text,
                hovertemplate="%{text}<extra></extra>",
                meta=dict(role=kind),
            )
        )
    return traces


def start_trace(starts: Array, style: FigureStyle) -> go.Scatter:
    """The start points ``(S, 2)`` as open circles."""
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)
    return Scatter(
        x=starts[:, 0],
        y=starts[:, 1],
        mode="markers",
        name="start",
        marker=dict(
            symbol="circle-open", size=style.mark_size * 1.2, color=MARK_COLOR, line=dict(width=style.line_width)
        ),
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
        meta=dict(role="start"),
    )


def result_starts(result: RunResult) -> Array:
    """The distinct start points of a result ``(S, 2)``, in start order."""
    S = int(result.start_index.max()) + 1 if result.start_index.size else 0
    first = np.array([int(np.flatnonzero(result.start_index == s)[0]) for s in range(S)], dtype=int)
    return result.positions[first, 0] if S else np.zeros((0, 2))


def path_trace(
    result: RunResult,
    r: int,
    idx: Array,
    name: str,
    style: FigureStyle,
    colors: Sequence[str],
    mode: str = "lines+markers",
    markers: int = PATH_MARKERS,
) -> go.Scatter:
    """Run ``r`` through its recorded points ``idx``, hover showing step and loss; at most
    ``markers`` of them drawn with a step marker."""
    look = run_look(result, r, style, colors)
    pts = result.positions[r, idx]
    custom = np.column_stack([result.steps[idx], result.losses[r, idx]])
    return Scatter(
        x=f32(pts[:, 0]),
        y=f32(pts[:, 1]),
        mode=mode,
        name=legend_name(result, r, name),
        legendgroup=f"run{r}",
        line=dict(color=look["color"], width=style.line_width, dash=look["dash"]),
        marker=dict(size=style.marker_size, symbol=look["symbol"], color=look["color"], maxdisplayed=markers),
        customdata=f32(custom),
        hovertemplate=(
            f"<b>{name}</b><br>step %{{customdata[0]:.0f}}<br>x=%{{x:.4g}}, y=%{{y:.4g}}"
            "<br>loss %{customdata[1]:.4g}<extra></extra>"
        ),
        unselected=dict(marker=dict(opacity=1)),
        meta=dict(role="path", run=r),
    )


def end_point(result: RunResult, r: int, window: Window) -> tuple[Array, bool]:
    """Where to mark run ``r``'s end: its last point, or where it crossed the window's edge when it
    flew off out of view. Returns ``(point (2,), off_view)``."""
    pts = result.positions[r, : paths.run_length(result, r)]
    if paths.flew_off(result, r):
        clipped, off = paths.clip_flight(pts, window)
        return clipped[-1], off
    return pts[-1], False


def end_trace(
    result: RunResult, r: int, name: str, style: FigureStyle, colors: Sequence[str], window: Window
) -> go.Scatter:
    """A marker at the end of run ``r``: a large X for runs that diverged or left the window."""
    look = run_look(result, r, style, colors)
    point, off = end_point(result, r, window)
    last = result.positions[r, paths.run_length(result, r) - 1]
    flew = paths.flew_off(result, r)
    text = f"<b>{name}</b>: {paths.status_text(result, r)}"
    if flew:
        text += f"<br>last finite point ({last[0]:.4g}, {last[1]:.4g})" + (" is out of view" if off else "")
    text += f"<br>final loss {result.losses[r, paths.run_length(result, r) - 1]:.4g}"
    return Scatter(
        x=f32(point[:1]),
        y=f32(point[1:]),
        mode="markers",
        name=name,
        legendgroup=f"run{r}",
        showlegend=False,
        marker=dict(
            symbol="x" if flew else look["symbol"],
            size=style.mark_size * (1.3 if flew else 0.9),
            color=look["color"],
            line=dict(width=1.5, color=MARK_COLOR if flew else "#ffffff"),
        ),
        text=[text],
        hovertemplate="%{text}<extra></extra>",
        unselected=dict(marker=dict(opacity=1)),
        meta=dict(role="end", run=r),
    )


def click_trace(window: Window, landscape: LandscapeLike | None = None, n: int = CLICK_N) -> go.Scatter:
    """An ``n x n`` grid of invisible markers so that a click anywhere selects a point (to pick
    a start). Plotly hovers the nearest marker, so the grid also carries the hover: the point
    and, given the ``landscape``, its loss. The markers are small (4 px): larger ones win the
    hover even over a minimum's star; clicks land within the figure's hover distance (``CLICK_REACH``)."""
    pts = window.grid(n)[2].reshape(-1, 2)
    a, b = landscape.axis_names if landscape is not None else ("x", "y")
    hover = f"{a}=%{{x:.3f}}, {b}=%{{y:.3f}}"
    custom = None
    if landscape is not None:
        with np.errstate(all="ignore"):
            custom = f32(np.nan_to_num(np.asarray(landscape.value(pts), dtype=float), nan=np.inf))
        hover += "<br>loss %{customdata:.4g}"
    return Scatter(
        x=f32(pts[:, 0]),
        y=f32(pts[:, 1]),
        mode="markers",
        name=CLICK_TRACE,
        customdata=custom,
        # one marker drawn: hover and click find the nearest point in the data, not in the page, and
        # 400 invisible SVG markers cost the browser about 60 ms at every draw of the contour
        marker=dict(size=4, opacity=0, color="#ffffff", maxdisplayed=1),
        showlegend=False,
        hovertemplate=hover + "<br><i>click to start here</i><extra></extra>",
        hoverlabel=dict(bgcolor="rgba(255,255,255,0.9)", font=dict(color=MARK_COLOR)),
        selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
        meta=dict(role="click"),
    )


# --- the figure -----------------------------------------------------------------------------
def contour_figure(
    landscape: LandscapeLike,
    grid: LandscapeGrid | None = None,
    result: RunResult | None = None,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    starts: Array | None = None,
    clickable: bool = True,
    title: str | None = None,
    max_points: int = paths.MAX_PATH_POINTS,
) -> go.Figure:
    """Filled contour of ``landscape`` with minima, saddles, starts and the paths of ``result``.

    ``grid`` defaults to a ``150 x 150`` grid over the landscape's window (it sets the levels;
    the filled contour is a server-drawn image, ``landscape_layer``); ``labels`` are per config (or
    per run); each run sends at most ``max_points`` points, of which ``PATH_MARKERS`` get a step
    marker. With ``clickable`` an invisible marker grid (name ``CLICK_TRACE``, meta role "click")
    is laid on top so a click anywhere selects a point.
    """
    style = style or FigureStyle()
    grid = evaluate_grid(landscape, None, CONTOUR_N) if grid is None else grid
    levels = levels_for(landscape, grid)
    colorbar, image = landscape_layer(landscape, grid, levels, style)
    traces: list[Any] = [colorbar, *critical_traces(landscape, style)]
    run_names: list[str] = []
    if result is not None:
        run_names = paths.names(result, labels)
        colors = colors_for(result)
        compact = int(result.start_index.max(initial=0)) > 0  # several starts: one entry per setting, per start
        runs = len(result.status)
        points = paths.share(paths.PATH_BUDGET, runs, max_points)
        markers = paths.share(MARKER_BUDGET, runs, PATH_MARKERS, MIN_MARKERS)
        for r in range(runs):
            idx = paths.run_indices(result, r, points)
            path = path_trace(result, r, idx, run_names[r], style, colors, markers=markers)
            end = end_trace(result, r, run_names[r], style, colors, grid.window)
            if compact:
                group = f"config{int(result.config_index[r])}"
                path.update(showlegend=False, legendgroup=group)
                end.update(legendgroup=group)
            traces += [path, end]
        if compact:
            traces += compact_legend(result, labels, style, colors)
    if starts is None and result is not None:
        starts = result_starts(result)
    if starts is not None and len(starts):
        traces.append(start_trace(starts, style))
    if clickable:
        traces.append(click_trace(grid.window, landscape))
    config_names = (
        list(labels)
        if labels is not None and result is not None and len(labels) == len(result.labels)
        else (list(result.labels) if result is not None else [])
    )
    entries = sum(1 for t in traces if t.showlegend is not False)
    layout = plane_layout(
        grid.window,
        style,
        title or figure_title(landscape, config_names),
        entries,
        True,
        axis_names=landscape.axis_names,
    )
    if clickable:
        layout["hoverdistance"] = CLICK_REACH
    # the layout given to the constructor: ``update_layout`` with the template took 3-5 times as long (18 ms, 4-6)
    fig = Figure(data=traces, layout=dict(with_image(layout, image), uirevision=landscape.key))
    fig.data[0].marker.colorbar.update(bar_below(style, layout))  # the landscape layer's scatter
    return fig


def compact_legend(
    result: RunResult, labels: Sequence[str] | None, style: FigureStyle, colors: Sequence[str]
) -> list[go.Scatter]:
    """Legend-only entries (meta role "legend", no data) for runs from several starts: one per run
    setting in its colour (clicking it hides that setting's paths from every start) and one per
    start with its dash and marker in black, instead of one entry per run."""
    names = list(labels) if labels is not None and len(labels) == len(result.labels) else list(result.labels)
    out = []
    for c, name in enumerate(names):
        out.append(
            Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=name,
                legendgroup=f"config{c}",
                line=dict(color=colors[c % len(colors)], width=style.line_width),
                hoverinfo="skip",
                meta=dict(role="legend", config=c),
            )
        )
    for s in range(int(result.start_index.max()) + 1):
        out.append(
            Scatter(
                x=[None],
                y=[None],
                mode="lines+markers",
                name=f"start {s + 1}",
                legendgroup=f"start{s}",
                line=dict(color=MARK_COLOR, width=style.line_width, dash=DASHES[s % len(DASHES)]),
                marker=dict(color=MARK_COLOR, size=style.marker_size + 2, symbol=SYMBOLS[s % len(SYMBOLS)]),
                hoverinfo="skip",
                meta=dict(role="legend", start=s),
            )
        )
    return out
